import { randomUUID } from "node:crypto";

import { parse as csvParse } from "csv-parse/sync";
import { and, asc, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";

import { openDatabase, type DatabaseHandle } from "@/lib/db";
import { auditEvents, exportSlots, mirrorCalls, mirrorSyncs } from "@/lib/db/schema";
import { claimNextSync, requestSync } from "@/lib/mirror/sync";
import { runExport } from "@/lib/reports/export";
import { takeExportSlot } from "@/lib/reports/export-slots";
import type { SandboxCall } from "@/lib/sandbox/types";
import type { Workspace } from "@/lib/workspaces";

import { usingPostgres } from "../support/db";
import { createSandboxWorkspace, unique } from "../support/factories";
import { db, dbUrl, sb, setUpDatabaseAndSandbox } from "../support/harness";
import { parkAllJobs } from "../support/mirror";

// Exports that walk Trillet share the workspace's budget: at most a few at once per user and per
// workspace, counted in the database. And the pages an unfiltered walk reads fill the mirror copy,
// so that a first export plus the batch's freeze costs one walk, not two.

setUpDatabaseAndSandbox();

beforeEach(() => {
  sb.sandbox.setFaults([]);
  sb.sandbox.setLatency(0);
  sb.sandbox.resetStats();
});

/** Each test gets its own workspace (own mirror, own slots) on the one sandbox. */
const freshWorkspace = () => createSandboxWorkspace(db, sb);

const user = (n: number) => ({ id: null, email: `user${n}@example.test` });

const exportOf = (
  ws: Workspace,
  batchId: string,
  opts: { query?: string; actor?: { id: null; email: string }; limits?: { perUser: number; perWorkspace: number } } = {},
) =>
  runExport({
    db,
    workspace: ws,
    actor: opts.actor ?? user(1),
    batchId,
    params: new URLSearchParams(opts.query ?? ""),
    limits: opts.limits,
  });

/** The CSV's job ids, checked against the sandbox: each job exactly once, every job there. */
async function expectComplete(response: Response, truth: SandboxCall[]) {
  expect(response.status).toBe(200);
  const [header, ...rows] = csvParse(await response.text()) as string[][];
  const jobs = rows.map((r) => r[header!.indexOf("job_id")]!);
  expect(new Set(jobs).size).toBe(jobs.length);
  expect(jobs.sort()).toEqual(truth.map((c) => c.jobId).sort());
}

const jobOf = async (ws: Workspace, batchId: string) =>
  (
    await db
      .select()
      .from(mirrorSyncs)
      .where(and(eq(mirrorSyncs.workspaceId, ws.id), eq(mirrorSyncs.batchId, batchId)))
  )[0] ?? null;

async function auditsOf(email: string) {
  const rows = await db.select().from(auditEvents).where(eq(auditEvents.actorEmail, email));
  return rows.sort((a, b) => Number(a.id) - Number(b.id));
}

describe(`Export limits (${usingPostgres() ? "PostgreSQL" : "PGlite"})`, () => {
  it("refuses a user's third export at once with 429 and Retry-After; the other two complete, each complete", async () => {
    const ws = await freshWorkspace();
    // A user of its own: other tests export as user(1) too, and this one counts its audit events.
    const actor = { id: null, email: `${unique("user")}@example.test` };
    sb.sandbox.setLatency(20);
    const truth = sb.sandbox.truth("demo-failing")!;
    // Two exports have started (their first page answered) and are still walking: nothing read yet.
    const first = await exportOf(ws, "demo-failing", { actor });
    const second = await exportOf(ws, "demo-failing", { actor, query: "bom=1" });
    expect([first.status, second.status]).toEqual([200, 200]);
    const third = await exportOf(ws, "demo-failing", { actor, query: "status=failed" });
    expect(third.status).toBe(429);
    const retryAfter = Number(third.headers.get("retry-after"));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
    const body = (await third.json()) as { error: string; kind: string; scope: string; retryAt: string };
    expect(body).toMatchObject({ kind: "export_limit", scope: "user" });
    expect(body.error).toMatch(/already have 2 exports reading from Trillet.*Try again when one finishes/);
    expect(Date.parse(body.retryAt)).toBeGreaterThan(Date.now());
    const refused = (await auditsOf(actor.email)).at(-1);
    expect(refused).toMatchObject({
      action: "export.failed",
      target: "demo-failing",
      detail: { rows: 0, reason: body.error, limit: { scope: "user", max: 2 } },
    });

    await Promise.all([expectComplete(first, truth), expectComplete(second, truth)]);
    // Both walks ended: their slots are free, and the user may export again.
    expect(await db.select().from(exportSlots).where(eq(exportSlots.workspaceId, ws.id))).toEqual([]);
    const again = await exportOf(ws, "demo-finished", { actor, query: "status=failed" });
    await expectComplete(
      again,
      sb.sandbox.truth("demo-finished")!.filter((c) => c.status === "failed"),
    );
    expect((await auditsOf(actor.email)).filter((a) => a.action === "export.completed")).toHaveLength(3);
  });

  it("refuses past the workspace's limit whoever asks, and never limits an export of a mirrored batch", async () => {
    const ws = await freshWorkspace();
    const limits = { perUser: 2, perWorkspace: 3 };
    const running = [
      await exportOf(ws, "demo-failing", { actor: user(1), limits, query: "status=failed" }),
      await exportOf(ws, "demo-failing", { actor: user(1), limits, query: "status=completed" }),
      await exportOf(ws, "demo-finished", { actor: user(2), limits, query: "status=failed" }),
    ];
    expect(running.map((r) => r.status)).toEqual([200, 200, 200]);
    const refused = await exportOf(ws, "demo-failing", { actor: user(3), limits });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({
      kind: "export_limit",
      scope: "workspace",
      error: expect.stringMatching(/This workspace already has 3 exports/),
    });
    // Another workspace shares nothing with this one.
    const elsewhere = await exportOf(await freshWorkspace(), "demo-finished", { actor: user(3), limits, query: "status=failed" });
    expect(elsewhere.status).toBe(200);
    await elsewhere.text();

    // A frozen batch is read from the database: no budget, no slot.
    await db
      .insert(mirrorSyncs)
      .values({ workspaceId: ws.id, batchId: "frozen-one", state: "done", frozen: true, lastSuccessAt: new Date() });
    const mirrored = await exportOf(ws, "frozen-one", { actor: user(1), limits });
    expect(mirrored.status).toBe(200);
    expect(mirrored.headers.get("x-export-source")).toBe("mirror");
    await mirrored.text();
    for (const response of running) await response.text();
  });

  it("does not count a lease its instance stopped renewing, nor one released by a cancelled download", async () => {
    const ws = await freshWorkspace();
    const stale = new Date(Date.now() - 5 * 60_000);
    await db.insert(exportSlots).values([
      {
        id: randomUUID(),
        workspaceId: ws.id,
        userKey: `email:${user(1).email}`,
        batchId: "demo-failing",
        startedAt: stale,
        heartbeatAt: stale,
      },
      {
        id: randomUUID(),
        workspaceId: ws.id,
        userKey: `email:${user(1).email}`,
        batchId: "demo-failing",
        startedAt: stale,
        heartbeatAt: stale,
      },
    ]);
    const first = await exportOf(ws, "demo-failing", { query: "status=failed" });
    expect(first.status).toBe(200);
    // The expired leases were dropped by the first export's take.
    expect(await db.select().from(exportSlots).where(eq(exportSlots.workspaceId, ws.id))).toHaveLength(1);
    await first.body!.cancel();
    await new Promise((r) => setTimeout(r, 50));
    expect(await db.select().from(exportSlots).where(eq(exportSlots.workspaceId, ws.id))).toEqual([]);
  });

  it("gives out exactly the limit when many instances ask at once", async () => {
    const ws = await freshWorkspace();
    // On PostgreSQL a second pool is a second instance; on PGlite the one process asks concurrently.
    const second: DatabaseHandle | null = dbUrl ? await openDatabase({ url: dbUrl }) : null;
    try {
      const dbs = [db, second?.db ?? db];
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          takeExportSlot(
            dbs[i % 2]!,
            { exportId: randomUUID(), workspaceId: ws.id, userKey: i % 3 === 0 ? "u1" : `u${i}`, batchId: "b" },
            { perUser: 2, perWorkspace: 4 },
          ),
        ),
      );
      expect(answers.filter((a) => a.ok)).toHaveLength(4);
      const rows = await db.select().from(exportSlots).where(eq(exportSlots.workspaceId, ws.id));
      expect(rows).toHaveLength(4);
      expect(rows.filter((r) => r.userKey === "u1").length).toBeLessThanOrEqual(2);
      for (const answer of answers) if (answer.ok) await answer.slot.release();
      expect(await db.select().from(exportSlots).where(eq(exportSlots.workspaceId, ws.id))).toEqual([]);
    } finally {
      await second?.close();
    }
  });
});

describe(`A walking export fills the mirror (${usingPostgres() ? "PostgreSQL" : "PGlite"})`, () => {
  it("freezes a finished batch after one walk: the same rows, row numbers and columns as a sync, and nothing left to read", async () => {
    const ws = await freshWorkspace();
    const truth = sb.sandbox.truth("demo-failing")!;
    const walked = await exportOf(ws, "demo-failing");
    expect(walked.headers.get("x-export-source")).toBe("trillet");
    const walkedBytes = Buffer.from(await walked.arrayBuffer());
    expect(sb.sandbox.stats().requests).toBe(5); // 480 calls: one read of each page

    const job = await jobOf(ws, "demo-failing");
    const keys = [...new Set(truth.flatMap((c) => Object.keys(c.metadata)))];
    expect(job).toMatchObject({
      state: "done",
      frozen: true,
      mismatch: null,
      totalPages: 5,
      pagesDone: 5,
      upstreamSummary: sb.sandbox.summary("demo-failing"),
      metadataKeys: keys, // the late column included, in first-seen order
    });
    expect(job!.lastSuccessAt).toBeInstanceOf(Date);
    expect(job!.nextSyncAt.getFullYear()).toBe(9999);
    // Row numbers are positions in Trillet's listing, as the sync gives them.
    const rows = await db
      .select({ jobId: mirrorCalls.jobId, rowNo: mirrorCalls.rowNo })
      .from(mirrorCalls)
      .where(and(eq(mirrorCalls.workspaceId, ws.id), eq(mirrorCalls.batchId, "demo-failing")))
      .orderBy(asc(mirrorCalls.rowNo));
    expect(rows).toEqual(truth.map((c, i) => ({ jobId: c.jobId, rowNo: i })));

    // The mirror runner has nothing to read, even when the batch is opened again.
    await requestSync(db, ws.id, "demo-failing");
    // (A runner claims any workspace's due job: jobs other tests left may come first.)
    const claimed: string[] = [];
    for (let job = await claimNextSync(db, "runner-a"); job; job = await claimNextSync(db, "runner-a")) claimed.push(job.workspaceId);
    expect(claimed).not.toContain(ws.id);
    // The repeat comes from the mirror, byte for byte the file the walk gave.
    sb.sandbox.resetStats();
    const repeat = await exportOf(ws, "demo-failing");
    expect(repeat.headers.get("x-export-source")).toBe("mirror");
    expect(Buffer.from(await repeat.arrayBuffer()).equals(walkedBytes)).toBe(true);
    expect(sb.sandbox.stats().requests).toBe(0);
  });

  it("takes the job over from a mirror runner that was copying the batch", async () => {
    const ws = await freshWorkspace();
    // Jobs other tests left due would be claimed first: this test's job is the only one due.
    await parkAllJobs(db);
    await requestSync(db, ws.id, "demo-finished");
    const claimed = await claimNextSync(db, "runner-a");
    expect(claimed).toMatchObject({ batchId: "demo-finished", owner: "runner-a", state: "running" });
    const response = await exportOf(ws, "demo-finished");
    const owner = (await jobOf(ws, "demo-finished"))!.owner;
    expect(owner).toMatch(/^export:[0-9a-f-]{36}$/);
    // While this export holds the job (fresh heartbeat), no runner claims it.
    expect(await claimNextSync(db, "runner-b")).toBeNull();
    await expectComplete(response, sb.sandbox.truth("demo-finished")!);
    expect(await jobOf(ws, "demo-finished")).toMatchObject({ frozen: true, state: "done", owner });
  });

  it("lets a second export of the same batch walk without touching the first one's job", async () => {
    const ws = await freshWorkspace();
    sb.sandbox.setLatency(10);
    const truth = sb.sandbox.truth("demo-failing")!;
    const first = await exportOf(ws, "demo-failing", { actor: user(1) });
    const owner = (await jobOf(ws, "demo-failing"))!.owner;
    const second = await exportOf(ws, "demo-failing", { actor: user(2), query: "q=a" });
    expect((await jobOf(ws, "demo-failing"))!.owner).toBe(owner);
    await second.text();
    expect((await jobOf(ws, "demo-failing"))!.frozen).toBe(false);
    await expectComplete(first, truth);
    expect(await jobOf(ws, "demo-failing")).toMatchObject({ frozen: true, owner });
  });

  it("hands the job back to the runner when the walk fails, and leaves a filtered export's job alone", async () => {
    const ws = await freshWorkspace();
    const fragile = { ...ws, gateway: sb.gateway({ maxRetries: 0 }) };
    sb.sandbox.setFaults([{ kind: "5xx", rate: 1, batchId: "demo-failing", afterRequests: 2 }]);
    const response = await exportOf(fragile, "demo-failing");
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
    expect(await jobOf(ws, "demo-failing")).toMatchObject({ state: "pending", owner: null, frozen: false });
    expect((await jobOf(ws, "demo-failing"))!.nextSyncAt.getTime()).toBeLessThanOrEqual(Date.now() + 1_000); // due now
    expect(await db.select().from(exportSlots).where(eq(exportSlots.workspaceId, ws.id))).toEqual([]);
    sb.sandbox.setFaults([]);

    // status=failed reads Trillet's filtered pages: not the mirror's copy, so no job is taken.
    const failedOnly = await exportOf(ws, "demo-finished", { query: "status=failed" });
    await failedOnly.text();
    expect(await jobOf(ws, "demo-finished")).toBeNull();
  });
});
