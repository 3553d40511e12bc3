import { and, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { FAILED_PAGE_SIZE, loadFailureDrilldown } from "@/app/w/[workspace]/batches/[batchId]/failed/drilldown";
import { NO_REASON_KEY } from "@/lib/batches/call-detail";
import { drilldownQuery, parseDrilldownView } from "@/lib/batches/drilldown-view";
import { reasonKey } from "@/lib/batches/reasons";
import { findTrackedBatch, recordBatchRead } from "@/lib/batches/tracked";
import { mirrorCalls, mirrorSyncs } from "@/lib/db/schema";
import { claimNextSync, runSync } from "@/lib/mirror/sync";
import type { Workspace } from "@/lib/workspaces";

import { usingPostgres } from "../support/db";
import { createSandboxWorkspace } from "../support/factories";
import { db, sb, setUpDatabaseAndSandbox } from "../support/harness";

setUpDatabaseAndSandbox();
let ws: Workspace;

// A workspace per test: its own tracked batches and copies. The copies a test started are run to
// the end after it, so the next test's claimNextSync takes its own job.
beforeEach(async () => {
  ws = await createSandboxWorkspace(db, sb);
});
afterEach(() => syncAll());

const view = (query: Record<string, string> = {}) => parseDrilldownView(query);
const load = (batchId: string, query: Record<string, string> = {}) => loadFailureDrilldown(db, ws, batchId, view(query), null);

async function syncAll() {
  for (let job = await claimNextSync(db, "t"); job; job = await claimNextSync(db, "t")) {
    await runSync(db, ws.gateway, job, { limitPerMinute: 600_000, minSpacingMs: 0 });
  }
}

/** The batch opened once (tracked, its copy started) and copied in full. */
async function copied(batchId: string) {
  await load(batchId);
  await syncAll();
}

describe(`failure drilldown (${usingPostgres() ? "PostgreSQL" : "PGlite"})`, () => {
  it("says not found only when Trillet does, and then tracks nothing", async () => {
    await expect(load("no-such-batch")).rejects.toMatchObject({ kind: "not_found" });
    expect(await findTrackedBatch(db, ws.id, "no-such-batch")).toBeNull();
  });

  it("on a first open, checks Trillet once, tracks the batch, starts its copy and lists Trillet's failed calls", async () => {
    const truth = sb.sandbox.truth("demo-finished")!.filter((c) => c.status === "failed");
    const before = ws.gateway.upstreamReads;
    const data = await load("demo-finished");
    expect(ws.gateway.upstreamReads - before).toBe(1);
    if (data.state !== "copying" || !data.upstream.ok) throw new Error(`expected copying with Trillet's list, got ${JSON.stringify(data)}`);
    expect(data.mirror).toMatchObject({ state: "pending", lastSuccessAt: null });
    expect(await findTrackedBatch(db, ws.id, "demo-finished")).toMatchObject({ lastSummary: sb.sandbox.summary("demo-finished") });
    const { failures } = data.upstream;
    expect(failures.total).toBe(truth.length);
    expect(failures.calls.map((c) => c.jobId)).toEqual(truth.slice(0, 100).map((c) => c.jobId));
    // Reasons are counted over the calls shown, and only those.
    expect(failures.reasons.reduce((sum, r) => sum + r.count, 0)).toBe(failures.calls.length);
    expect(failures.reasons[0]!.count).toBe(Math.max(...failures.reasons.map((r) => r.count)));

    // Tracked now: the next view reads the same list again (cached or not) but tracks nothing new.
    const again = await load("demo-finished", { page: "2" });
    expect(again).toMatchObject({ state: "copying", upstream: { ok: true, failures: { page: 2, calls: [], total: truth.length } } });
  });

  it("propagates a failed first check, and shows a failed list read beside the copy of a tracked batch", async () => {
    sb.sandbox.setFaults([{ kind: "5xx", rate: 1, batchId: "demo-empty" }]);
    try {
      await expect(load("demo-empty")).rejects.toMatchObject({ kind: "unavailable" });
      expect(await findTrackedBatch(db, ws.id, "demo-empty")).toBeNull();
      sb.sandbox.setFaults([]);
      expect(await load("demo-empty")).toMatchObject({ state: "copying", upstream: { ok: true, failures: { total: 0, calls: [] } } });
      sb.sandbox.setFaults([{ kind: "5xx", rate: 1, batchId: "demo-empty" }]);
      expect(await load("demo-empty", { page: "3" })).toMatchObject({ state: "copying", upstream: { ok: false, kind: "unavailable" } });
    } finally {
      sb.sandbox.setFaults([]);
    }
  });

  it("says the batch is being copied, with its progress, until the copy completes", async () => {
    const read = await ws.gateway.listCalls("demo-failing", { page: 1, limit: 100, status: "all" }, { priority: "interactive" });
    await recordBatchRead(db, ws.id, "demo-failing", read.summary, new Date(read.receivedAt), null);
    // Tracked without a copy: the page starts one.
    expect(await load("demo-failing")).toMatchObject({ state: "copying", mirror: { state: "pending", pagesDone: 0, lastSuccessAt: null } });

    const job = (await claimNextSync(db, "t"))!;
    const stop = new AbortController();
    await runSync(db, ws.gateway, job, {
      limitPerMinute: 600_000,
      minSpacingMs: 0,
      signal: stop.signal,
      onPage: ({ pagesDone }) => pagesDone === 2 && stop.abort(new Error("paused for the test")),
    }).catch(() => {});
    expect(await load("demo-failing")).toMatchObject({ state: "copying", mirror: { state: "running", pagesDone: 2, totalPages: 5 } });
    await db
      .update(mirrorSyncs)
      .set({ heartbeatAt: new Date(0) })
      .where(eq(mirrorSyncs.batchId, "demo-failing"));
  });

  it("ranks reasons whose counts add up to the batch's failed total, with shares of it", async () => {
    await copied("demo-failing");
    const data = await load("demo-failing");
    if (data.state !== "ready") throw new Error(`expected ready, got ${data.state}`);
    const truth = sb.sandbox.summary("demo-failing")!;
    expect(truth.failed).toBeGreaterThan(0);
    expect(data.failedTotal).toBe(truth.failed);
    expect(data.summary).toEqual(truth);
    expect(data.reasonsTotal).toBe(truth.failed);
    expect(data.reasons.reduce((sum, r) => sum + r.count, 0)).toBe(truth.failed);
    expect(data.reasons.reduce((sum, r) => sum + r.share, 0)).toBeCloseTo(1, 10);
    expect(data.reasons.map((r) => r.count)).toEqual([...data.reasons.map((r) => r.count)].sort((a, b) => b - a));
    expect(data.reasons[0]).toMatchObject({ key: "number busy", label: "Number busy" });
    expect(data.reasons[0]!.share).toBeCloseTo(data.reasons[0]!.count / truth.failed, 10);
    expect(data.selected).toBeNull();
    expect(data.mirror.frozen).toBe(true);
  });

  it("lists a chosen reason's calls page by page, each failed with that reason", async () => {
    await copied("demo-failing");
    const failed = sb.sandbox.truth("demo-failing")!.filter((c) => c.status === "failed");
    const busy = failed.filter((c) => reasonKey(c.error) === "number busy");
    expect(busy.length).toBeGreaterThan(FAILED_PAGE_SIZE);

    const first = await load("demo-failing", { reason: "number busy" });
    if (first.state !== "ready" || !first.selected) throw new Error("expected a selected reason");
    expect(first.selected).toMatchObject({ total: busy.length, page: 1, totalPages: Math.ceil(busy.length / FAILED_PAGE_SIZE) });
    expect(first.selected.reason.count).toBe(busy.length);
    expect(first.selected.calls).toHaveLength(FAILED_PAGE_SIZE);

    const seen = new Set<string>();
    for (let page = 1; page <= first.selected.totalPages; page++) {
      const data = await load("demo-failing", { reason: "number busy", page: String(page) });
      if (data.state !== "ready" || !data.selected) throw new Error("expected a selected reason");
      for (const call of data.selected.calls) {
        expect(call.status).toBe("failed");
        expect(reasonKey(call.error)).toBe("number busy");
        seen.add(call.jobId);
      }
    }
    expect([...seen].sort()).toEqual(busy.map((c) => c.jobId).sort());
  });

  it("selects nothing for an unknown or malformed reason, and reads a bad page as the first", async () => {
    await copied("demo-failing");
    for (const query of [{ reason: "no such reason" }, { reason: "x".repeat(400) }, { reason: "" }]) {
      const data = await load("demo-failing", query);
      expect(data.state === "ready" && data.selected).toBeNull();
    }
    expect(view({ reason: " number busy ", page: "-3" })).toEqual({ reason: "number busy", page: 1 });
    expect(view({ reason: "number\u0000busy" })).toEqual({ reason: "", page: 1 });
    expect(view({ page: "2.5" })).toEqual({ reason: "", page: 1 });
    expect(drilldownQuery({ reason: "number busy", page: 2 })).toBe("?reason=number+busy&page=2");
    expect(drilldownQuery({ reason: "number busy", page: 1 })).toBe("?reason=number+busy");
    expect(drilldownQuery({})).toBe("");
    // Until the copy is ready, the page alone pages through Trillet's failed calls.
    expect(drilldownQuery({ page: 3 })).toBe("?page=3");
  });

  it("groups calls with no error at all and calls with a blank error as one reason, and lists both", async () => {
    const rows = [
      { jobId: "quiet-1", error: null },
      { jobId: "quiet-2", error: "   " },
      { jobId: "loud-1", error: "Number busy" },
    ].map((c, i) => ({
      workspaceId: ws.id,
      batchId: "hand-made",
      jobId: c.jobId,
      rowNo: i,
      status: "failed",
      phoneNumber: `+1555000${i}`,
      error: c.error,
      reasonKey: reasonKey(c.error),
      metadata: { row: String(i) },
      searchText: "",
    }));
    await db.insert(mirrorCalls).values(rows);
    await db
      .insert(mirrorSyncs)
      .values({ workspaceId: ws.id, batchId: "hand-made", state: "done", frozen: true, lastSuccessAt: new Date() });

    const data = await load("hand-made", { reason: NO_REASON_KEY });
    if (data.state !== "ready") throw new Error("expected ready");
    expect(data.reasons.map((r) => [r.key, r.count])).toEqual([
      [NO_REASON_KEY, 2],
      ["number busy", 1],
    ]);
    expect(data.reasonsTotal).toBe(data.failedTotal);
    expect(data.selected?.calls.map((c) => c.jobId)).toEqual(["quiet-1", "quiet-2"]);
    await db.delete(mirrorCalls).where(and(eq(mirrorCalls.workspaceId, ws.id), eq(mirrorCalls.batchId, "hand-made")));
  });
});
