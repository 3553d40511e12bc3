import { and, eq, ne } from "drizzle-orm";
import Papa from "papaparse";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";

import { cancelBatch } from "@/lib/batches/cancel";
import { lineageFunnel } from "@/lib/batches/lineage";
import { reasonKey } from "@/lib/batches/reasons";
import { retryCsv, retryPreview } from "@/lib/batches/retry";
import { startRetry, type RetryStartInput } from "@/lib/batches/retry-start";
import { recordBatchRead } from "@/lib/batches/tracked";
import { auditEvents, batchStarts, mirrorSyncs, notificationChannels, notificationOutbox, trackedBatches, users } from "@/lib/db/schema";
import { createChannel } from "@/lib/notifications/channels";
import type { SandboxCall } from "@/lib/sandbox";
import type { WorkspaceGateway } from "@/lib/trillet/gateway";
import { createWorkspace, type Workspace } from "@/lib/workspaces";

import { usingPostgres } from "../support/db";
import { db, sb, setUpDatabaseAndSandbox } from "../support/harness";
import { syncUntilFrozen } from "../support/mirror";
import { TEST_KEY, TEST_WORKSPACE } from "../support/sandbox";

// Retrying failed calls as a linked batch, and cancelling: rows exactly as Trillet listed them,
// never two batches for one confirmation, an unknown outcome said as such, numbers that answered
// in a later attempt left out, and the line's funnel.

setUpDatabaseAndSandbox();
let gateway: WorkspaceGateway;
let workspace: Workspace;
let actor: { id: string; email: string };
let serial = 0;

beforeAll(async () => {
  gateway = sb.gateway();
  const info = await createWorkspace(db, {
    slug: "retry",
    name: "Retry",
    baseUrl: sb.url,
    apiKey: TEST_KEY,
    trilletWorkspaceId: TEST_WORKSPACE,
  });
  workspace = { ...info, gateway };
  const [user] = await db.insert(users).values({ email: "lead@example.com", name: "Lead", role: "admin" }).returning();
  actor = { id: user!.id, email: user!.email };
});
beforeEach(() => {
  sb.sandbox.setFaults([]);
  sb.sandbox.setLiveSpeed(1);
  sb.sandbox.setUploadFailRate(0.2);
});

/** Copies this batch alone: other jobs (retry batches requested on start) wait their turn. */
async function syncOnly(batchId: string) {
  await db
    .update(mirrorSyncs)
    .set({ nextSyncAt: new Date(Date.now() + 3_600_000) })
    .where(and(eq(mirrorSyncs.workspaceId, workspace.id), ne(mirrorSyncs.batchId, batchId), eq(mirrorSyncs.frozen, false)));
  await syncUntilFrozen(db, gateway, workspace.id, batchId);
}

/** A finished batch of its own, tracked and copied: each test gets fresh ids so order never matters. */
async function copiedBatch(size = 120, failRate = 0.5): Promise<string> {
  const batchId = `parent-${++serial}-${Date.now().toString(36)}`;
  sb.sandbox.addFinishedBatch(batchId, size, failRate);
  await recordBatchRead(db, workspace.id, batchId, sb.sandbox.summary(batchId)!, new Date(), actor.id);
  await syncOnly(batchId);
  return batchId;
}

/** Lets the sandbox finish every batch it was given, then copies one. */
async function finishAndCopy(batchId: string) {
  sb.sandbox.setLiveSpeed(100_000);
  await new Promise((resolve) => setTimeout(resolve, 50));
  await syncOnly(batchId);
}

const failedCalls = (batchId: string, reason?: string) =>
  (sb.sandbox.truth(batchId) as SandboxCall[]).filter(
    (c) => c.status === "failed" && (reason === undefined || reasonKey(c.error) === reason),
  );

const input = (parentBatchId: string, over: Partial<RetryStartInput> = {}): RetryStartInput => ({
  parentBatchId,
  reasonKey: null,
  agentId: "agent_retry",
  scheduledAt: null,
  smartCallbackConfig: null,
  idempotencyKey: crypto.randomUUID(),
  ...over,
});

const tracked = async (batchId: string) =>
  (
    await db
      .select()
      .from(trackedBatches)
      .where(and(eq(trackedBatches.workspaceId, workspace.id), eq(trackedBatches.batchId, batchId)))
  )[0];

const auditOf = async (action: string) => db.select().from(auditEvents).where(eq(auditEvents.action, action));

describe(`retry as a linked batch (${usingPostgres() ? "PostgreSQL" : "PGlite"})`, () => {
  it("sends one reason's failed calls with every value exactly as Trillet listed them", async () => {
    const parent = await copiedBatch();
    // A reason whose calls hold a formula-looking value (the demo data has them), whatever the
    // batch's generated content: the check below is that such values arrive without a guard.
    const formula = (c: SandboxCall) => Object.values(c.metadata).some((v) => /^[=+\-@]/.test(v));
    const reason = reasonKey(failedCalls(parent).find(formula)!.error)!;
    const expected = failedCalls(parent, reason);
    const result = await startRetry(db, workspace, actor, input(parent, { reasonKey: reason, smartCallbackConfig: { enabled: true } }));
    expect(result).toMatchObject({ state: "created", rows: expected.length, excluded: 0 });
    if (result.state !== "created") return;
    const sent = sb.sandbox.created().find((b) => b.batchId === result.childBatchId)!;
    expect(sent.agentId).toBe("agent_retry");
    expect(sent.smartCallbackConfig).toEqual({ enabled: true });
    expect(sent.rows.map((r) => r.phone)).toEqual(expected.map((c) => c.phone_number));
    // Field by field: a key a row did not have arrives as an empty cell, nothing else differs.
    sent.rows.forEach((row, i) => {
      const listed = expected[i]!.metadata;
      for (const [key, value] of Object.entries(row.metadata)) expect(value, key).toBe(listed[key] ?? "");
      for (const [key, value] of Object.entries(listed)) expect(row.metadata[key], key).toBe(value);
    });
    // The demo data holds formula-looking values: they arrive without a guard.
    const values = sent.rows.flatMap((r) => Object.values(r.metadata));
    expect(values.some((v) => /^[=+\-@]/.test(v))).toBe(true);
    expect(values.some((v) => v.startsWith("'"))).toBe(false);

    const child = await tracked(result.childBatchId);
    expect(child).toMatchObject({ parentBatchId: parent, rootBatchId: parent, attempt: 2 });
    expect(child?.label).toMatch(new RegExp(`^Retry of ${parent} \\(`));
    const [audit] = (await auditOf("batch.started")).filter((a) => a.target === result.childBatchId);
    expect(audit?.detail).toMatchObject({ parent, rows: expected.length, agent: "agent_retry", attempt: 2 });
  });

  it("writes Trillet's start-batch CSV without a formula guard", () => {
    const csv = retryCsv(
      [{ phone: "+15550000001", metadata: { company: '=HYPERLINK("x")', note: "-2+3", at: "@Home" } }],
      ["company", "note", "at", "phone_number"],
    );
    const [header, row] = Papa.parse<string[]>(csv.trim(), { header: false }).data;
    expect(header).toEqual(["phone_number", "company", "note", "at", "metadata.phone_number"]);
    expect(row).toEqual(["+15550000001", '=HYPERLINK("x")', "-2+3", "@Home", ""]);
  });

  it("tells the team's channels that a retry started, once", async () => {
    const parent = await copiedBatch();
    const { channel } = await createChannel(
      db,
      workspace.id,
      {
        kind: "webhook",
        url: "https://hooks.example.invalid/retry",
        events: ["batch.retry_started"],
        failureRatePercent: 20,
        minFinishedCalls: 50,
        stallMinutes: 15,
      },
      actor.id,
    );
    try {
      const key = crypto.randomUUID();
      const result = await startRetry(db, workspace, actor, input(parent, { idempotencyKey: key }));
      if (result.state !== "created") throw new Error(result.state);
      await startRetry(db, workspace, actor, input(parent, { idempotencyKey: key }));
      const queued = await db.select().from(notificationOutbox).where(eq(notificationOutbox.channelId, channel.id));
      expect(queued.map((q) => q.eventType)).toEqual(["batch.retry_started"]);
      expect(JSON.stringify(queued[0]?.payload)).toContain(result.childBatchId);
    } finally {
      await db.delete(notificationChannels).where(eq(notificationChannels.id, channel.id));
    }
  });

  it("starts one batch for one confirmation: a repeat, or two at once, get the first result", async () => {
    const parent = await copiedBatch();
    const key = crypto.randomUUID();
    const before = sb.sandbox.created().length;
    const [a, b] = await Promise.all([
      startRetry(db, workspace, actor, input(parent, { idempotencyKey: key })),
      startRetry(db, workspace, actor, input(parent, { idempotencyKey: key })),
    ]);
    const again = await startRetry(db, workspace, actor, input(parent, { idempotencyKey: key }));
    expect(a.state).toBe("created");
    expect(b).toEqual(a);
    expect(again).toEqual(a);
    expect(sb.sandbox.created().length).toBe(before + 1);
    expect(await db.select().from(batchStarts).where(eq(batchStarts.idempotencyKey, key))).toHaveLength(1);
  });

  it("leaves out numbers that completed in a later attempt of the line (attempt 3 from the parent)", async () => {
    const parent = await copiedBatch(150, 0.6);
    sb.sandbox.setUploadFailRate(0.5);
    const second = await startRetry(db, workspace, actor, input(parent));
    if (second.state !== "created") throw new Error(second.state);
    await finishAndCopy(second.childBatchId);
    const answered = new Set(
      (sb.sandbox.truth(second.childBatchId) as SandboxCall[]).filter((c) => c.status === "completed").map((c) => c.phone_number),
    );
    expect(answered.size).toBeGreaterThan(0);

    const preview = await retryPreview(db, workspace.id, parent, null);
    if (!preview.ok) throw new Error(preview.reason);
    expect(preview.preview.excluded).toBe(answered.size);
    const third = await startRetry(db, workspace, actor, input(parent));
    if (third.state !== "created") throw new Error(third.state);
    const sent = sb.sandbox.created().find((b) => b.batchId === third.childBatchId)!;
    expect(sent.rows.some((r) => answered.has(r.phone))).toBe(false);
    expect(sent.rows.length).toBe(failedCalls(parent).length - answered.size);
    expect(third.excluded).toBe(answered.size);
    expect(await tracked(third.childBatchId)).toMatchObject({ attempt: 3, rootBatchId: parent, parentBatchId: parent });

    // The funnel of the line: per attempt, calls made and reached, and the cumulative reach.
    await finishAndCopy(third.childBatchId);
    const funnel = (await lineageFunnel(db, workspace.id, parent))!;
    expect(funnel.steps.map((s) => s.attempt)).toEqual([1, 2, 3]);
    const truth = (id: string) => sb.sandbox.summary(id)!;
    expect(funnel.steps.map((s) => [s.made, s.reached])).toEqual(
      [parent, second.childBatchId, third.childBatchId].map((id) => [truth(id).total, truth(id).completed]),
    );
    const reachedSoFar = new Set<string>();
    const numbers = new Set((sb.sandbox.truth(parent) as SandboxCall[]).map((c) => c.phone_number));
    const expectedRates = [parent, second.childBatchId, third.childBatchId].map((id) => {
      for (const c of sb.sandbox.truth(id) as SandboxCall[]) if (c.status === "completed") reachedSoFar.add(c.phone_number);
      return reachedSoFar.size / numbers.size;
    });
    expect(funnel.steps.map((s) => s.cumulativeRate)).toEqual(expectedRates);
    const recovered = funnel.recovered.reduce((n, r) => n + r.recovered, 0);
    expect(recovered).toBe(truth(second.childBatchId).completed + truth(third.childBatchId).completed);
    expect(funnel.recovered.every((r) => r.recovered <= r.retried)).toBe(true);
    // Asked from a later attempt, it is the same line.
    expect((await lineageFunnel(db, workspace.id, third.childBatchId))?.steps).toEqual(funnel.steps);
  });

  it("records a timeout after the POST was sent as an unknown outcome, audited, with no second POST", async () => {
    const parent = await copiedBatch();
    const key = crypto.randomUUID();
    sb.sandbox.setFaults([{ kind: "timeout", method: "POST", count: 1 }]);
    sb.sandbox.resetStats();
    const before = sb.sandbox.created().length;
    const slow = { ...workspace, gateway: sb.gateway({ timeoutMs: 300 }) };
    const result = await startRetry(db, slow, actor, input(parent, { idempotencyKey: key }));
    expect(result.state).toBe("unknown");
    expect(sb.sandbox.created().length).toBe(before + 1);
    expect(sb.sandbox.stats().requests).toBe(1);
    // Asking again with the same confirmation does not send it again.
    expect((await startRetry(db, slow, actor, input(parent, { idempotencyKey: key }))).state).toBe("unknown");
    expect(sb.sandbox.created().length).toBe(before + 1);
    const [row] = await db.select().from(batchStarts).where(eq(batchStarts.idempotencyKey, key));
    expect(row?.state).toBe("unknown");
    expect((await auditOf("batch.start_unknown")).some((a) => a.target === parent)).toBe(true);
  });

  it("says why it cannot start: a batch not copied yet, or nothing left to retry", async () => {
    const uncopied = `uncopied-${Date.now().toString(36)}`;
    sb.sandbox.addFinishedBatch(uncopied, 50, 0.5);
    await recordBatchRead(db, workspace.id, uncopied, sb.sandbox.summary(uncopied)!, new Date(), actor.id);
    expect(await startRetry(db, workspace, actor, input(uncopied))).toMatchObject({
      state: "refused",
      message: expect.stringMatching(/copied/),
    });
    const clean = await copiedBatch(40, 0);
    expect(await startRetry(db, workspace, actor, input(clean))).toMatchObject({
      state: "refused",
      message: expect.stringMatching(/no failed calls/),
    });
  });
});

describe(`cancel (${usingPostgres() ? "PostgreSQL" : "PGlite"})`, () => {
  it("stops the waiting calls, records and audits it, and the copy freezes once nothing is active", async () => {
    const parent = await copiedBatch(300, 0.9);
    sb.sandbox.setLiveSpeed(1);
    const started = await startRetry(db, workspace, actor, input(parent));
    if (started.state !== "created") throw new Error(started.state);
    const batchId = started.childBatchId;
    const waitingBefore = sb.sandbox.summary(batchId)!.waiting;
    expect(waitingBefore).toBeGreaterThan(0);

    expect(await cancelBatch(db, workspace, actor, batchId, waitingBefore)).toEqual({ state: "cancelled" });
    expect((await gateway.getBatchStatus(batchId, { fresh: true })).status).toBe("cancelled");
    expect((await tracked(batchId))?.cancelledAt).toBeInstanceOf(Date);
    const [audit] = (await auditOf("batch.cancelled")).filter((a) => a.target === batchId);
    expect(audit?.detail).toMatchObject({ waiting: waitingBefore });

    // Later, the calls that were waiting are still waiting, and the copy of the batch is final.
    sb.sandbox.setLiveSpeed(100_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const after = sb.sandbox.summary(batchId)!;
    expect(after.active).toBe(0);
    expect(after.waiting).toBeGreaterThan(0);
    await syncOnly(batchId);
    const [sync] = await db
      .select()
      .from(mirrorSyncs)
      .where(and(eq(mirrorSyncs.workspaceId, workspace.id), eq(mirrorSyncs.batchId, batchId)));
    expect(sync).toMatchObject({ frozen: true, cancelled: true });
  });

  it("reports a finished batch as not cancellable, and audits the refusal", async () => {
    const parent = await copiedBatch(30, 0.2);
    const result = await cancelBatch(db, workspace, actor, parent, 0);
    expect(result).toMatchObject({ state: "failed", message: expect.stringMatching(/already completed/) });
    expect((await auditOf("batch.cancel_failed")).some((a) => a.target === parent)).toBe(true);
  });
});
