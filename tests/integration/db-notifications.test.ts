import { and, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import type { Database } from "@/lib/db";
import { notificationBatchWatch, notificationChannels, notificationDeliveries, notificationOutbox } from "@/lib/db/schema";
import { takeOverSync } from "@/lib/mirror/from-walk";
import { failureReasons } from "@/lib/mirror/queries";
import { claimNextSync, requestSync, runSync } from "@/lib/mirror/sync";
import { createChannel, recentDeliveries, removeChannel, type ChannelInput } from "@/lib/notifications/channels";
import { enqueue, enqueueRetryStarted, eventIds, type BatchEventPayload, type NotificationEvent } from "@/lib/notifications/events";
import { observeBatch } from "@/lib/notifications/observe";
import { verifySignature } from "@/lib/notifications/signature";
import { sendTest } from "@/lib/notifications/test-send";
import { claimDue, startNotificationRunners, type NotificationWorker } from "@/lib/notifications/worker";
import { MAX_PAGE_SIZE, type BatchSummary } from "@/lib/trillet/schemas";
import { createWorkspace } from "@/lib/workspaces";

import { openTestDatabase, usingPostgres } from "../support/db";
import { syncUntilFrozen } from "../support/mirror";
import { startReceiver, waitUntil, type Receiver } from "../support/receiver";
import { startTestSandbox, TEST_KEY, TEST_WORKSPACE, type RunningSandbox } from "../support/sandbox";

let handle: Awaited<ReturnType<typeof openTestDatabase>>;
let db: Database;
let sb: RunningSandbox;
let receiver: Receiver;
let ws: string;
// The sandbox runs on this clock, so a batch is running until the test moves it on.
let clock = Date.UTC(2026, 10, 30, 9, 0, 0);
const workers: NotificationWorker[] = [];

beforeAll(async () => {
  handle = await openTestDatabase();
  db = handle.db;
  sb = await startTestSandbox({ now: () => clock });
  receiver = await startReceiver();
  ws = (
    await createWorkspace(db, { slug: "notify", name: "Notify", baseUrl: sb.url, apiKey: TEST_KEY, trilletWorkspaceId: TEST_WORKSPACE })
  ).id;
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
  receiver.reset();
  await db.delete(notificationOutbox);
});
afterAll(async () => {
  await handle.dispose();
  await sb.close();
  await receiver.close();
});

const ALL: NotificationEvent[] = ["batch.finished", "batch.failure_rate", "batch.stalled", "batch.retry_started"];

async function channel(overrides: Partial<ChannelInput> = {}, path = "/hooks/T0001/s3cr3t-path?token=q-secret") {
  return createChannel(
    db,
    ws,
    {
      kind: "webhook",
      url: `${receiver.url}${path}`,
      events: ALL,
      failureRatePercent: 20,
      minFinishedCalls: 10,
      stallMinutes: 15,
      ...overrides,
    },
    null,
  );
}

function worker(instance: string, options: { maxAttempts?: number; leaseMs?: number; concurrency?: number } = {}) {
  const w = startNotificationRunners({
    instance,
    database: async () => db,
    timeoutMs: 2_000,
    maxAttempts: options.maxAttempts ?? 5,
    allowPrivate: true,
    backoff: { baseMs: 50, maxMs: 200 },
    pollMs: 20,
    leaseMs: options.leaseMs,
    concurrency: options.concurrency,
  });
  workers.push(w);
  return w;
}

/** Starts a batch on the sandbox as Trillet's POST does; its calls run on `clock`. */
async function startBatch(rows: number): Promise<string> {
  const csv = [
    "phone_number,first_name",
    ...Array.from({ length: rows }, (_, i) => `+1555010${String(i).padStart(4, "0")},Person ${i}`),
  ].join("\n");
  const form = new FormData();
  form.set("file", new Blob([csv], { type: "text/csv" }), "calls.csv");
  form.set("agentId", "agent_1");
  const response = await fetch(`${sb.url}/v1/api/batch-calls`, {
    method: "POST",
    headers: { "x-api-key": TEST_KEY, "x-workspace-id": TEST_WORKSPACE },
    body: form,
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { batchId: string }).batchId;
}

/** One mirror pass of a batch, as the app's runner does it. */
async function syncOnce(batchId: string) {
  await requestSync(db, ws, batchId);
  const job = await claimNextSync(db, "runner-a");
  expect(job?.batchId).toBe(batchId);
  return runSync(db, sb.gateway(), job!, { limitPerMinute: 600_000, minSpacingMs: 0 });
}

/** Runs due mirror passes (whichever batch is due) until these batches are frozen. */
async function syncAllUntilFrozen(batchIds: string[]) {
  const frozen = new Set<string>();
  for (const id of batchIds) await requestSync(db, ws, id);
  for (let run = 0; run < 40 && frozen.size < batchIds.length; run++) {
    const job = await claimNextSync(db, "runner-a");
    if (!job) {
      await new Promise((r) => setTimeout(r, 20));
      continue;
    }
    const outcome = await runSync(db, sb.gateway(), job, { limitPerMinute: 600_000, minSpacingMs: 0 });
    if (outcome.frozen) frozen.add(job.batchId);
  }
  expect([...frozen].sort()).toEqual([...batchIds].sort());
}

async function outboxRows(eventId?: string) {
  const rows = await db
    .select()
    .from(notificationOutbox)
    .where(eventId ? eq(notificationOutbox.eventId, eventId) : undefined);
  return rows;
}

const summary = (s: Partial<BatchSummary>): BatchSummary => ({ total: 100, waiting: 0, active: 0, completed: 0, failed: 0, ...s });

async function payloadFor(id: string, type: NotificationEvent = "batch.finished"): Promise<BatchEventPayload> {
  return {
    id,
    type,
    createdAt: new Date().toISOString(),
    workspace: { id: ws, slug: "notify", name: "Notify" },
    batch: { id: "b", label: "", url: "http://localhost/w/notify/batches/b" },
    counts: summary({ completed: 1 }),
    successRate: 1,
    failureRate: 0,
    topFailureReasons: [],
  };
}

describe(`notifications (${usingPostgres() ? "PostgreSQL" : "PGlite"})`, () => {
  it("sends exactly one signed batch.finished per finished batch, with the batch's final counts", async () => {
    const { channel: webhook, signingSecret } = await channel({ events: ["batch.finished"] });
    const batches = [await startBatch(30), await startBatch(12)];
    // The mirror sees both running, then (three hours later on the sandbox's clock) finished.
    for (const id of batches) expect((await syncOnce(id)).frozen).toBe(false);
    expect(await outboxRows()).toHaveLength(0);
    clock += 3 * 3_600_000;
    await syncAllUntilFrozen(batches);
    // Both "instances" would enqueue again on a repeated final pass: nothing is added.
    for (const id of batches) {
      expect(
        await observeBatch(db, { workspaceId: ws, batchId: id, summary: sb.sandbox.summary(id)!, sawRunning: true, final: true }),
      ).toBe(0);
    }
    worker("instance-1");
    worker("instance-2");
    await waitUntil(() => receiver.received.length >= 2, 10_000, "two deliveries");
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received).toHaveLength(2);

    for (const id of batches) {
      const request = receiver.received.find((r) => (JSON.parse(r.body) as BatchEventPayload).batch.id === id)!;
      expect(request.path).toBe("/hooks/T0001/s3cr3t-path?token=q-secret");
      expect(request.headers["batchboard-event-id"]).toBe(eventIds.finished(ws, id));
      expect(request.headers["batchboard-event-type"]).toBe("batch.finished");
      expect(verifySignature(request.headers["batchboard-signature"] as string, request.body, signingSecret!)).toMatchObject({ ok: true });
      // Any change to the body breaks the signature.
      expect(
        verifySignature(
          request.headers["batchboard-signature"] as string,
          request.body.replace("batch.finished", "batch.stalled"),
          signingSecret!,
        ),
      ).toMatchObject({ ok: false });
      const body = JSON.parse(request.body) as BatchEventPayload;
      const truth = sb.sandbox.summary(id)!;
      expect(truth.waiting + truth.active).toBe(0);
      expect(body.counts).toEqual(truth);
      expect(body.successRate).toBeCloseTo(truth.completed / (truth.completed + truth.failed));
      const reasons = await failureReasons(db, ws, id);
      expect(body.topFailureReasons).toEqual(reasons.slice(0, 5).map((r) => ({ reason: r.label, count: r.count })));
      expect(body.batch.url).toMatch(new RegExp(`/w/notify/batches/${id}$`));
    }
    const log = (await recentDeliveries(db, [webhook.id])).get(webhook.id)!;
    expect(log.map((l) => [l.eventType, l.outcome, l.statusCode])).toEqual([
      ["batch.finished", "delivered", 200],
      ["batch.finished", "delivered", 200],
    ]);
    await removeChannel(db, ws, webhook.id);
  }, 60_000);

  it("sends batch.finished when an export's walk freezes a batch the mirror saw running", async () => {
    const { channel: webhook } = await channel({ events: ["batch.finished"] });
    const batchId = await startBatch(8);
    expect((await syncOnce(batchId)).frozen).toBe(false);
    clock += 3 * 3_600_000;
    const fill = (await takeOverSync(db, ws, batchId, "export-1"))!;
    const gateway = sb.gateway();
    let result = await gateway.listCalls(batchId, { page: 1, limit: MAX_PAGE_SIZE, status: "all" }, { fresh: true });
    await fill.page({ page: 1, pass: 1, status: "all", limit: MAX_PAGE_SIZE, result });
    for (let page = 2; page <= (result.pagination.totalPages ?? 1); page++) {
      result = await gateway.listCalls(batchId, { page, limit: MAX_PAGE_SIZE, status: "all" }, { fresh: true });
      await fill.page({ page, pass: 1, status: "all", limit: MAX_PAGE_SIZE, result });
    }
    expect(await fill.finish(result.summary, true)).toBe("frozen");
    const [row] = await outboxRows(eventIds.finished(ws, batchId));
    expect(row).toMatchObject({ channelId: webhook.id, payload: { counts: sb.sandbox.summary(batchId) } });
    await removeChannel(db, ws, webhook.id);
  });

  it("announces nothing for a batch first seen finished", async () => {
    const { channel: webhook } = await channel();
    sb.sandbox.addFinishedBatch("notify-old", 40, 0.9);
    await syncUntilFrozen(db, sb.gateway(), ws, "notify-old");
    expect(await outboxRows()).toHaveLength(0);
    await removeChannel(db, ws, webhook.id);
  });

  it("delivers on the third try after two failures, with the same event id each time", async () => {
    const { channel: webhook, signingSecret } = await channel();
    receiver.script(500, 503);
    const id = "batch.finished:retry-test";
    await enqueue(db, { id, type: "batch.finished", workspaceId: ws, payload: await payloadFor(id) }, [webhook.id]);
    worker("instance-1");
    await waitUntil(() => receiver.received.length >= 3, 10_000, "three attempts");
    await waitUntil(async () => (await outboxRows(id))[0]?.state === "delivered", 5_000, "delivered");
    expect(receiver.received.map((r) => r.headers["batchboard-event-id"])).toEqual([id, id, id]);
    // The same body each time; the signature is fresh per attempt and verifies each time.
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
    for (const r of receiver.received)
      expect(verifySignature(r.headers["batchboard-signature"] as string, r.body, signingSecret!).ok).toBe(true);
    const [row] = await outboxRows(id);
    expect(row).toMatchObject({ state: "delivered", attempts: 3, lastStatus: 200 });
    const log = (await recentDeliveries(db, [webhook.id])).get(webhook.id)!;
    expect(log.map((l) => [l.attempt, l.outcome, l.statusCode]).reverse()).toEqual([
      [1, "retrying", 500],
      [2, "retrying", 503],
      [3, "delivered", 200],
    ]);
    await removeChannel(db, ws, webhook.id);
  });

  it("loses nothing across a restart between attempts, nor when a worker dies holding a claim", async () => {
    const { channel: webhook } = await channel();
    receiver.script(500);
    const first = "batch.finished:restart-test";
    await enqueue(db, { id: first, type: "batch.finished", workspaceId: ws, payload: await payloadFor(first) }, [webhook.id]);
    const before = worker("before-restart");
    await waitUntil(() => receiver.received.length >= 1, 10_000, "the first attempt");
    await before.stop();
    // A new worker over the same database (a restarted instance) delivers the rest.
    worker("after-restart");
    await waitUntil(async () => (await outboxRows(first))[0]?.state === "delivered", 10_000, "delivered after restart");
    expect(receiver.received.map((r) => r.headers["batchboard-event-id"])).toEqual([first, first]);

    // A worker that claimed a row and died: the lease runs out and another worker delivers it.
    const second = "batch.finished:crash-test";
    await enqueue(db, { id: second, type: "batch.finished", workspaceId: ws, payload: await payloadFor(second) }, [webhook.id]);
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    expect(await claimDue(db, "crashed-instance", 10, 300)).toHaveLength(1);
    receiver.reset();
    worker("survivor");
    await waitUntil(async () => (await outboxRows(second))[0]?.state === "delivered", 10_000, "delivered after the lease expired");
    expect(receiver.received.map((r) => r.headers["batchboard-event-id"])).toEqual([second]);
    await removeChannel(db, ws, webhook.id);
  });

  it("has two instances deliver each event once, and a repeated enqueue add nothing", async () => {
    const { channel: webhook } = await channel();
    const ids = Array.from({ length: 24 }, (_, i) => `batch.finished:two-workers:${i}`);
    for (const id of ids) {
      const event = { id, type: "batch.finished" as const, workspaceId: ws, payload: await payloadFor(id) };
      expect(await enqueue(db, event, [webhook.id])).toBe(1);
      expect(await enqueue(db, event, [webhook.id])).toBe(0);
    }
    worker("instance-1", { concurrency: 3 });
    worker("instance-2", { concurrency: 3 });
    await waitUntil(async () => (await outboxRows()).every((r) => r.state === "delivered"), 15_000, "all delivered");
    await new Promise((r) => setTimeout(r, 200));
    expect(receiver.received.map((r) => r.headers["batchboard-event-id"]).sort()).toEqual([...ids].sort());
    await removeChannel(db, ws, webhook.id);
  });

  it("never hands one row to two claims made at the same moment", async () => {
    const { channel: webhook } = await channel();
    for (let i = 0; i < 60; i++) {
      const id = `batch.finished:claims:${i}`;
      await enqueue(db, { id, type: "batch.finished", workspaceId: ws, payload: await payloadFor(id) }, [webhook.id]);
    }
    const claims = await Promise.all(Array.from({ length: 12 }, (_, i) => claimDue(db, `owner-${i}`, 5, 60_000)));
    const ids = claims.flat().map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(60);
    await removeChannel(db, ws, webhook.id);
  });

  it("gives up after the last attempt, and never follows a redirect", async () => {
    const { channel: webhook } = await channel();
    receiver.script(302, 302, 302);
    const id = "batch.finished:redirect-test";
    await enqueue(db, { id, type: "batch.finished", workspaceId: ws, payload: await payloadFor(id) }, [webhook.id]);
    worker("instance-1", { maxAttempts: 3 });
    await waitUntil(async () => (await outboxRows(id))[0]?.state === "failed", 10_000, "failed");
    expect(receiver.received.map((r) => r.path)).toEqual(Array(3).fill("/hooks/T0001/s3cr3t-path?token=q-secret"));
    const log = (await recentDeliveries(db, [webhook.id])).get(webhook.id)!;
    expect(log.map((l) => l.outcome)).toEqual(["failed", "retrying", "retrying"]);
    expect(log[0]!.error).toMatch(/redirect/);
    // Neither the log nor the outbox repeats the URL's path or query (they are secret).
    const stored = JSON.stringify([log, await outboxRows(id)]);
    expect(stored).not.toMatch(/s3cr3t|q-secret|hooks/);
    await removeChannel(db, ws, webhook.id);
  });

  it("counts a channel it cannot decrypt as a failed attempt, and gives up in the end", async () => {
    const { channel: webhook } = await channel();
    await db.update(notificationChannels).set({ urlEnc: "v1:broken:sealed:value" }).where(eq(notificationChannels.id, webhook.id));
    const id = "batch.finished:unreadable-test";
    await enqueue(db, { id, type: "batch.finished", workspaceId: ws, payload: await payloadFor(id) }, [webhook.id]);
    worker("instance-1", { maxAttempts: 2 });
    await waitUntil(async () => (await outboxRows(id))[0]?.state === "failed", 10_000, "failed");
    const log = (await recentDeliveries(db, [webhook.id])).get(webhook.id)!;
    expect(log.map((l) => [l.attempt, l.outcome])).toEqual([
      [2, "failed"],
      [1, "retrying"],
    ]);
    expect(log[0]!.error).toMatch(/decrypted/);
    expect(receiver.received).toHaveLength(0);
    await removeChannel(db, ws, webhook.id);
  });

  it("raises the failure-rate event once per batch, per channel threshold, after the minimum finished calls", async () => {
    const { channel: low } = await channel({ events: ["batch.failure_rate"], failureRatePercent: 20, minFinishedCalls: 10 });
    const { channel: high } = await channel({ events: ["batch.failure_rate"], failureRatePercent: 60, minFinishedCalls: 10 });
    const observe = (s: Partial<BatchSummary>) =>
      observeBatch(db, { workspaceId: ws, batchId: "rate-batch", summary: summary(s), sawRunning: true, final: false });
    // 5 of 8 finished calls failed: above both thresholds, but under the minimum of 10.
    expect(await observe({ waiting: 92, failed: 5, completed: 3 })).toBe(0);
    expect(await observe({ waiting: 80, failed: 6, completed: 14 })).toBe(1); // 30%: the low channel
    expect(await observe({ waiting: 60, failed: 12, completed: 28 })).toBe(0); // still 30%: already told
    expect(await observe({ waiting: 30, failed: 45, completed: 25 })).toBe(1); // 64%: now the high channel
    expect(await observe({ waiting: 0, failed: 70, completed: 30, total: 100 })).toBe(0);
    const rows = await outboxRows(eventIds.failureRate(ws, "rate-batch"));
    expect(rows.map((r) => r.channelId).sort()).toEqual([low.id, high.id].sort());
    const lowPayload = rows.find((r) => r.channelId === low.id)!.payload as unknown as BatchEventPayload;
    expect(lowPayload).toMatchObject({
      type: "batch.failure_rate",
      counts: { failed: 6, completed: 14 },
      details: { thresholdPercent: 20 },
    });
    expect(lowPayload.failureRate).toBeCloseTo(0.3);
    await removeChannel(db, ws, low.id);
    await removeChannel(db, ws, high.id);
  });

  it("raises batch.stalled once per stall when the counts stop moving while calls wait", async () => {
    const { channel: webhook } = await channel({ events: ["batch.stalled"], stallMinutes: 15 });
    const running = summary({ waiting: 50, active: 0, completed: 40, failed: 10 });
    const observe = (s: BatchSummary) =>
      observeBatch(db, { workspaceId: ws, batchId: "stall-batch", summary: s, sawRunning: true, final: false });
    const backdate = (minutes: number) =>
      db
        .update(notificationBatchWatch)
        .set({ progressAt: new Date(Date.now() - minutes * 60_000) })
        .where(and(eq(notificationBatchWatch.workspaceId, ws), eq(notificationBatchWatch.batchId, "stall-batch")));
    expect(await observe(running)).toBe(0);
    await backdate(10);
    expect(await observe(running)).toBe(0); // 10 minutes: not yet
    await backdate(16);
    expect(await observe(running)).toBe(1);
    expect(await observe(running)).toBe(0); // the same stall
    // Progress, then a second stall: a second event.
    const moved = summary({ waiting: 40, active: 0, completed: 48, failed: 12 });
    expect(await observe(moved)).toBe(0);
    await backdate(20);
    expect(await observe(moved)).toBe(1);
    // A batch with nothing waiting has not stalled (it is finishing or finished).
    await backdate(60);
    expect(await observe(summary({ waiting: 0, active: 0, completed: 88, failed: 12 }))).toBe(0);
    // A batch whose calls all still wait may be scheduled for later: not stalled.
    const scheduled = () =>
      observeBatch(db, { workspaceId: ws, batchId: "scheduled-batch", summary: summary({ waiting: 100 }), sawRunning: true, final: false });
    expect(await scheduled()).toBe(0);
    await db
      .update(notificationBatchWatch)
      .set({ progressAt: new Date(Date.now() - 120 * 60_000) })
      .where(eq(notificationBatchWatch.batchId, "scheduled-batch"));
    expect(await scheduled()).toBe(0);
    const rows = (await outboxRows()).filter((r) => r.eventType === "batch.stalled");
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.eventId)).size).toBe(2);
    expect(rows[0]!.payload).toMatchObject({ type: "batch.stalled", counts: { waiting: 50 }, details: { stallMinutes: 15 } });
    await removeChannel(db, ws, webhook.id);
  });

  it("posts Slack a message with the batch, counts, success rate, top failure reasons and a link", async () => {
    const { channel: slack, signingSecret } = await createChannel(
      db,
      ws,
      {
        kind: "slack",
        url: `${receiver.url}/services/T000/B000/XXXX`,
        events: ["batch.retry_started"],
        failureRatePercent: 20,
        minFinishedCalls: 10,
        stallMinutes: 15,
      },
      null,
    );
    expect(signingSecret).toBeNull();
    const result = await sendTest(db, slack.id, { id: ws, slug: "notify", name: "Notify" }, { timeoutMs: 2_000, allowPrivate: true });
    expect(result).toMatchObject({ ok: true, statusCode: 200 });
    const [request] = receiver.received;
    expect(request!.headers["batchboard-signature"]).toBeUndefined();
    expect(request!.headers["content-type"]).toBe("application/json");
    const message = JSON.parse(request!.body) as {
      text: string;
      blocks: { type: string; text?: { text: string }; elements?: { url: string }[] }[];
    };
    expect(message.text).toContain("Test notification");
    expect(message.text).toContain("96 completed, 24 failed, success rate 80.0%");
    expect(message.blocks.map((b) => b.type)).toEqual(["header", "section", "section", "actions"]);
    expect(message.blocks[1]!.text!.text).toContain("*120* calls: 96 completed, 24 failed");
    expect(message.blocks[2]!.text!.text).toBe("*Top failure reasons*\n• No answer: 14\n• Busy: 10");
    expect(message.blocks[3]!.elements![0]!.url).toMatch(/\/w\/notify\/batches\/test-batch$/);
    const log = (await recentDeliveries(db, [slack.id])).get(slack.id)!;
    expect(log).toMatchObject([{ eventType: "test", outcome: "delivered", statusCode: 200 }]);

    // The retry flow's event: once per retry batch.
    expect(
      await enqueueRetryStarted(db, {
        workspaceId: ws,
        batchId: "retry-1",
        parentBatchId: "parent-1",
        calls: 12,
        reason: "No answer",
        attempt: 2,
      }),
    ).toBe(1);
    expect(
      await enqueueRetryStarted(db, {
        workspaceId: ws,
        batchId: "retry-1",
        parentBatchId: "parent-1",
        calls: 12,
        reason: "No answer",
        attempt: 2,
      }),
    ).toBe(0);
    receiver.reset();
    worker("instance-1");
    await waitUntil(() => receiver.received.length === 1, 10_000, "the retry message");
    const retry = JSON.parse(receiver.received[0]!.body) as { text: string; blocks: { text?: { text: string } }[] };
    expect(retry.text).toContain("Retry batch started");
    expect(retry.blocks[1]!.text!.text).toContain("Retry of parent-1 (No answer)");
    await removeChannel(db, ws, slack.id);
    expect(await db.select().from(notificationDeliveries).where(eq(notificationDeliveries.channelId, slack.id))).toHaveLength(0);
  });
});
