import { and, count, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { reasonKey } from "@/lib/batches/reasons";
import type { Database } from "@/lib/db";
import { mirrorCalls, mirrorSyncs } from "@/lib/db/schema";
import { callsOverTime, durationHistogram, failureReasons, queryMirrorCalls } from "@/lib/mirror/queries";
import { mirrorSummary } from "@/lib/mirror/store";
import { claimNextSync, requestSync, runSync, type SyncJob } from "@/lib/mirror/sync";
import type { WorkspaceGateway } from "@/lib/trillet/gateway";

import { openTestDatabase, usingPostgres } from "../support/db";
import { createSandboxWorkspace } from "../support/factories";
import { syncUntilFrozen as syncUntilFrozenOn } from "../support/mirror";
import { startTestSandbox, type RunningSandbox } from "../support/sandbox";

let handle: Awaited<ReturnType<typeof openTestDatabase>>;
let db: Database;
let sb: RunningSandbox;
let gateway: WorkspaceGateway;
let ws: string;

beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(async () => {
  await sb.close();
});
// A database per test: claimNextSync takes the oldest due job of the whole database, and each
// test claims the one it asked for, whatever the tests before it left behind.
beforeEach(async () => {
  handle = await openTestDatabase();
  db = handle.db;
  const workspace = await createSandboxWorkspace(db, sb, { slug: "mirror", name: "Mirror" });
  gateway = workspace.gateway;
  ws = workspace.id;
  sb.sandbox.setFaults([]);
  sb.sandbox.setLatency(0);
  sb.sandbox.resetStats();
});
afterEach(() => handle.dispose());

const options = { limitPerMinute: 600_000, minSpacingMs: 0 };
const ids = (calls: { jobId: string }[]) => calls.map((c) => c.jobId).sort();

async function mirroredIds(batchId: string) {
  const rows = await db
    .select({ jobId: mirrorCalls.jobId })
    .from(mirrorCalls)
    .where(and(eq(mirrorCalls.workspaceId, ws), eq(mirrorCalls.batchId, batchId)));
  return rows.map((r) => r.jobId).sort();
}

async function syncRow(batchId: string) {
  const [row] = await db
    .select()
    .from(mirrorSyncs)
    .where(and(eq(mirrorSyncs.workspaceId, ws), eq(mirrorSyncs.batchId, batchId)));
  return row!;
}

const syncUntilFrozen = (batchId: string) => syncUntilFrozenOn(db, gateway, ws, batchId);

describe(`mirror sync (${usingPostgres() ? "PostgreSQL" : "PGlite"})`, () => {
  it("copies a finished batch in one final pass and freezes it; then nothing fetches it again", async () => {
    expect(await syncUntilFrozen("demo-finished")).toBe(1);
    expect(await mirroredIds("demo-finished")).toEqual(ids(sb.sandbox.truth("demo-finished")!));
    expect(await mirrorSummary(db, ws, "demo-finished")).toEqual(sb.sandbox.summary("demo-finished"));
    expect(sb.sandbox.stats().requests).toBe(2);
    const row = await syncRow("demo-finished");
    expect(row).toMatchObject({ frozen: true, state: "done", mismatch: null, pagesDone: 2, totalPages: 2 });

    sb.sandbox.resetStats();
    await requestSync(db, ws, "demo-finished");
    expect(await claimNextSync(db, "runner-b")).toBeNull();
    await queryMirrorCalls(db, ws, "demo-finished", { status: "failed", q: "", sort: "duration", dir: "desc", page: 1, limit: 50 });
    await failureReasons(db, ws, "demo-finished");
    await durationHistogram(db, ws, "demo-finished");
    await callsOverTime(db, ws, "demo-finished");
    expect(sb.sandbox.stats().requests).toBe(0);
  });

  it("follows the live batch until it finishes, ending equal to the sandbox's final job set and counts", async () => {
    sb.sandbox.restartLive(0);
    sb.sandbox.setLiveSpeed(3_000);
    try {
      const runs = await syncUntilFrozen("demo-live");
      expect(runs).toBeGreaterThan(1);
      const truth = sb.sandbox.truth("demo-live")!;
      expect(truth.every((c) => c.status === "completed" || c.status === "failed")).toBe(true);
      expect(await mirroredIds("demo-live")).toEqual(ids(truth));
      expect(await mirrorSummary(db, ws, "demo-live")).toEqual(sb.sandbox.summary("demo-live"));
      const [{ n }] = (await db.select({ n: count() }).from(mirrorCalls).where(eq(mirrorCalls.batchId, "demo-live"))) as [{ n: number }];
      expect(n).toBe(2_000);
    } finally {
      sb.sandbox.setLiveSpeed(1);
    }
  }, 60_000);

  it("resumes a sync killed midway on another runner, without duplicates or gaps", async () => {
    await requestSync(db, ws, "demo-failing");
    const job = (await claimNextSync(db, "runner-a"))!;
    const killed = new AbortController();
    await expect(
      runSync(db, gateway, job, {
        ...options,
        signal: killed.signal,
        onPage: ({ pagesDone }) => pagesDone === 2 && killed.abort(new Error("killed")),
      }),
    ).rejects.toThrow();
    const left = await syncRow("demo-failing");
    expect(left).toMatchObject({ state: "running", owner: "runner-a", pagesDone: 2 });
    // Metadata keys in each call's own order, first seen first: so far without the late column.
    const truth = sb.sandbox.truth("demo-failing")!;
    const keysIn = (calls: typeof truth) => [...new Set(calls.flatMap((c) => Object.keys(c.metadata)))];
    expect(left.metadataKeys).toEqual(keysIn(truth.slice(0, 200)));
    expect(left.metadataKeys).not.toContain("callback_window");
    expect(await claimNextSync(db, "runner-b")).toBeNull(); // still fresh: nobody else takes it

    const resumed = (await claimNextSync(db, "runner-b", 0))!;
    expect(resumed).toMatchObject({ owner: "runner-b", pagesDone: 2 });
    sb.sandbox.resetStats();
    const outcome = await runSync(db, gateway, resumed, options);
    expect(outcome).toMatchObject({ state: "done", frozen: true, mismatch: null });
    // Pages 3-5 finish the interrupted pass; every call records the pass that read it, so the
    // resumed pass vouches for the whole job set without a second one.
    expect(sb.sandbox.stats().requests).toBe(3);
    expect(await mirroredIds("demo-failing")).toEqual(ids(sb.sandbox.truth("demo-failing")!));
    // The resumed run carried the keys on; the late column (from call 300) comes last.
    expect((await syncRow("demo-failing")).metadataKeys).toEqual(keysIn(truth));
    expect(keysIn(truth).at(-1)).toBe("callback_window");
  });

  it("lets only one of two concurrent runners claim a batch", async () => {
    await requestSync(db, ws, "demo-empty");
    const [a, b] = await Promise.all([claimNextSync(db, "runner-a"), claimNextSync(db, "runner-b")]);
    expect([a, b].filter(Boolean)).toHaveLength(1);
    const outcome = await runSync(db, gateway, (a ?? b) as SyncJob, options);
    expect(outcome.frozen).toBe(true);
  });

  it("records a failed sync with its reason, and tries again later", async () => {
    await requestSync(db, ws, "no-such-batch");
    const outcome = await runSync(db, gateway, (await claimNextSync(db, "runner-a"))!, options);
    expect(outcome.state).toBe("failed");
    const row = await syncRow("no-such-batch");
    expect(row.error).toContain("no batch");
    expect(row.nextSyncAt.getTime()).toBeGreaterThan(Date.now());
  });

  it("flags extra mirrored calls Trillet no longer lists", async () => {
    await db.delete(mirrorSyncs).where(eq(mirrorSyncs.batchId, "demo-empty"));
    await db.insert(mirrorCalls).values({
      workspaceId: ws,
      batchId: "demo-empty",
      jobId: "stray",
      rowNo: 0,
      status: "failed",
      phoneNumber: "+1",
      metadata: {},
      searchText: "",
    });
    await requestSync(db, ws, "demo-empty");
    const outcome = await runSync(db, gateway, (await claimNextSync(db, "runner-a"))!, options);
    expect(outcome.frozen).toBe(false);
    expect(outcome.mismatch).toMatchObject({ notListedByTrillet: 1, mirrored: { total: 1 }, upstream: { total: 0 } });
    expect((await syncRow("demo-empty")).mismatch).not.toBeNull();
  });
});

describe("queries on the mirror", () => {
  it("searches phone, metadata and error text; filters status and reason; sorts", async () => {
    await syncUntilFrozen("demo-failing");
    await syncUntilFrozen("demo-finished");
    const truth = sb.sandbox.truth("demo-failing")!;
    const failed = truth.filter((c) => c.status === "failed");
    const busy = failed.filter((c) => reasonKey(c.error) === "number busy");
    expect(busy.length).toBeGreaterThan(0);
    const byReason = await queryMirrorCalls(db, ws, "demo-failing", {
      status: "failed",
      reason: "number busy",
      sort: "row",
      dir: "asc",
      page: 1,
      limit: 100,
    });
    expect(byReason.total).toBe(busy.length);

    const target = truth[17]!;
    const byPhone = await queryMirrorCalls(db, ws, "demo-failing", {
      status: "all",
      q: target.phone_number.slice(-7),
      sort: "row",
      dir: "asc",
      page: 1,
      limit: 20,
    });
    expect(byPhone.calls.map((c) => c.jobId)).toContain(target.jobId);
    const email = target.metadata.email!;
    const byMeta = await queryMirrorCalls(db, ws, "demo-failing", {
      status: "all",
      q: email.toUpperCase(),
      sort: "row",
      dir: "asc",
      page: 1,
      limit: 20,
    });
    expect(byMeta.calls.map((c) => c.jobId)).toContain(target.jobId);
    const literal = await queryMirrorCalls(db, ws, "demo-failing", { status: "all", q: "%", sort: "row", dir: "asc", page: 1, limit: 20 });
    expect(literal.total).toBe(
      truth.filter((c) => [c.phone_number, ...Object.values(c.metadata), c.error ?? ""].join(" ").includes("%")).length,
    );

    const longest = await queryMirrorCalls(db, ws, "demo-finished", {
      status: "completed",
      sort: "duration",
      dir: "desc",
      page: 1,
      limit: 5,
    });
    const durations = longest.calls.map((c) => c.durationSec!);
    expect(durations).toEqual([...durations].sort((a, b) => b - a));
    expect(durations[0]).toBe(Math.max(...sb.sandbox.truth("demo-finished")!.map((c) => c.duration ?? 0)));
  });

  it("groups failures by folded reason, keeping the common wording, adding up to the failed total", async () => {
    await syncUntilFrozen("demo-failing");
    const reasons = await failureReasons(db, ws, "demo-failing");
    const failed = sb.sandbox.summary("demo-failing")!.failed;
    expect(reasons.reduce((sum, r) => sum + r.count, 0)).toBe(failed);
    expect(reasons.length).toBeGreaterThanOrEqual(6);
    expect(new Set(reasons.map((r) => r.key)).size).toBe(reasons.length);
    expect(reasons[0]).toMatchObject({ key: "number busy", label: "Number busy" });
    expect(reasons.map((r) => r.count)).toEqual([...reasons.map((r) => r.count)].sort((a, b) => b - a));
  });

  it("builds a duration histogram and calls over time that add up", async () => {
    await syncUntilFrozen("demo-finished");
    const summary = sb.sandbox.summary("demo-finished")!;
    const bins = await durationHistogram(db, ws, "demo-finished");
    expect(bins.reduce((s, b) => s + b.count, 0)).toBe(summary.completed);
    const { buckets } = await callsOverTime(db, ws, "demo-finished");
    expect(buckets.reduce((s, b) => s + b.completed + b.failed, 0)).toBe(summary.completed + summary.failed);
  });
});

describe("reasonKey", () => {
  it("folds case, whitespace and trailing punctuation", () => {
    expect(reasonKey(" Number  busy. ")).toBe("number busy");
    expect(reasonKey("NUMBER BUSY!")).toBe("number busy");
    expect(reasonKey("Call dropped…")).toBe("call dropped");
    expect(reasonKey("   ")).toBe("(no reason given)");
    expect(reasonKey(null)).toBeNull();
  });
});
