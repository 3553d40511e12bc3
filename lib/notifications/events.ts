import "server-only";

import { and, eq, inArray, sql } from "drizzle-orm";

import type { Database } from "../db";
import { notificationChannels, notificationOutbox, trackedBatches, workspaces } from "../db/schema";
import { env } from "../env";
import { failureReasons } from "../mirror/queries";
import type { BatchSummary } from "../trillet/schemas";
import type { NotificationEvent } from "./event-types";

// Events and their payloads, and the outbox they are written to. An event has a stable id (the
// same fact always gets the same id), and the outbox holds one row per event and channel under a
// unique (event_id, channel_id): a second enqueue of the same fact, from a repeated pass or from
// another instance, inserts nothing. The worker (worker.ts) delivers the rows.

export { EVENT_LABELS, NOTIFICATION_EVENTS, type NotificationEvent } from "./event-types";

/** Failure reasons a payload lists (the most frequent first). */
export const TOP_REASONS = 5;

export interface BatchEventPayload {
  id: string;
  type: NotificationEvent | "test";
  createdAt: string;
  workspace: { id: string; slug: string; name: string };
  batch: { id: string; label: string; url: string };
  counts: BatchSummary;
  /** completed / (completed + failed), 0..1; null before any call finished. */
  successRate: number | null;
  failureRate: number | null;
  topFailureReasons: { reason: string; count: number }[];
  /** Per event: the threshold crossed, since when the batch stalled, the retry's parent. */
  details?: Record<string, unknown>;
}

export const eventIds = {
  finished: (workspaceId: string, batchId: string) => `batch.finished:${workspaceId}:${batchId}`,
  failureRate: (workspaceId: string, batchId: string) => `batch.failure_rate:${workspaceId}:${batchId}`,
  /** One per stall: progressAt is when the counts last changed. */
  stalled: (workspaceId: string, batchId: string, progressAt: Date) => `batch.stalled:${workspaceId}:${batchId}:${progressAt.getTime()}`,
  retryStarted: (workspaceId: string, batchId: string) => `batch.retry_started:${workspaceId}:${batchId}`,
};

/** The batch page's address. PUBLIC_URL should be set: without it links name localhost. */
export function batchUrl(slug: string, batchId: string): string {
  const base = env.PUBLIC_URL ?? `http://localhost:${env.PORT}`;
  return `${base}/w/${encodeURIComponent(slug)}/batches/${encodeURIComponent(batchId)}`;
}

export function rates(counts: BatchSummary): { successRate: number | null; failureRate: number | null } {
  const done = counts.completed + counts.failed;
  if (done === 0) return { successRate: null, failureRate: null };
  return { successRate: counts.completed / done, failureRate: counts.failed / done };
}

/** A batch event's payload: the batch's label and link, counts, rates and (from the copy) its top failure reasons. */
export async function batchPayload(
  db: Database,
  input: {
    id: string;
    type: NotificationEvent | "test";
    workspaceId: string;
    batchId: string;
    counts: BatchSummary;
    details?: Record<string, unknown>;
  },
): Promise<BatchEventPayload | null> {
  const [row] = await db
    .select({ slug: workspaces.slug, name: workspaces.name, label: trackedBatches.label })
    .from(workspaces)
    .leftJoin(trackedBatches, and(eq(trackedBatches.workspaceId, workspaces.id), eq(trackedBatches.batchId, input.batchId)))
    .where(eq(workspaces.id, input.workspaceId));
  if (!row) return null;
  const reasons = input.counts.failed > 0 ? await failureReasons(db, input.workspaceId, input.batchId) : [];
  return {
    id: input.id,
    type: input.type,
    createdAt: new Date().toISOString(),
    workspace: { id: input.workspaceId, slug: row.slug, name: row.name },
    batch: { id: input.batchId, label: row.label ?? "", url: batchUrl(row.slug, input.batchId) },
    counts: {
      total: input.counts.total,
      waiting: input.counts.waiting,
      active: input.counts.active,
      completed: input.counts.completed,
      failed: input.counts.failed,
    },
    ...rates(input.counts),
    topFailureReasons: reasons.slice(0, TOP_REASONS).map((r) => ({ reason: r.label, count: r.count })),
    ...(input.details ? { details: input.details } : {}),
  };
}

export interface SubscribedChannel {
  id: string;
  events: string[];
  failureRatePercent: number;
  minFinishedCalls: number;
  stallMinutes: number;
}

/** The workspace's channels that take this event. */
export async function channelsFor(db: Database, workspaceId: string, type?: NotificationEvent): Promise<SubscribedChannel[]> {
  const rows = await db
    .select({
      id: notificationChannels.id,
      events: notificationChannels.events,
      failureRatePercent: notificationChannels.failureRatePercent,
      minFinishedCalls: notificationChannels.minFinishedCalls,
      stallMinutes: notificationChannels.stallMinutes,
    })
    .from(notificationChannels)
    .where(eq(notificationChannels.workspaceId, workspaceId));
  return type ? rows.filter((c) => c.events.includes(type)) : rows;
}

/** Which of these channels already hold this event in the outbox. */
export async function alreadyQueued(db: Database, eventId: string, channelIds: string[]): Promise<Set<string>> {
  if (channelIds.length === 0) return new Set();
  const rows = await db
    .select({ channelId: notificationOutbox.channelId })
    .from(notificationOutbox)
    .where(and(eq(notificationOutbox.eventId, eventId), inArray(notificationOutbox.channelId, channelIds)));
  return new Set(rows.map((r) => r.channelId));
}

/**
 * Writes an event to the outbox for these channels: rows already there (same event id and
 * channel) are left as they are. Returns how many rows were added.
 */
export async function enqueue(
  db: Database,
  event: { id: string; type: NotificationEvent; workspaceId: string; payload: BatchEventPayload },
  channelIds: string[],
): Promise<number> {
  if (channelIds.length === 0) return 0;
  const rows = await db
    .insert(notificationOutbox)
    .values(
      channelIds.map((channelId) => ({
        eventId: event.id,
        channelId,
        workspaceId: event.workspaceId,
        eventType: event.type,
        payload: event.payload as unknown as Record<string, unknown>,
        nextAttemptAt: sql`now()`,
      })),
    )
    .onConflictDoNothing({ target: [notificationOutbox.eventId, notificationOutbox.channelId] })
    .returning({ id: notificationOutbox.id });
  return rows.length;
}

/**
 * For the retry flow (issue 16): a retry batch was started. Tells every channel of the workspace
 * that takes batch.retry_started, once per retry batch (event id `batch.retry_started:<ws>:<batch>`).
 */
export async function enqueueRetryStarted(
  db: Database,
  input: { workspaceId: string; batchId: string; parentBatchId: string; calls: number; reason?: string | null; attempt?: number },
): Promise<number> {
  const channels = await channelsFor(db, input.workspaceId, "batch.retry_started");
  if (channels.length === 0) return 0;
  const id = eventIds.retryStarted(input.workspaceId, input.batchId);
  const counts = { total: input.calls, waiting: input.calls, active: 0, completed: 0, failed: 0 };
  const payload = await batchPayload(db, {
    id,
    type: "batch.retry_started",
    workspaceId: input.workspaceId,
    batchId: input.batchId,
    counts,
    details: { parentBatchId: input.parentBatchId, calls: input.calls, reason: input.reason ?? null, attempt: input.attempt ?? null },
  });
  if (!payload) return 0;
  return enqueue(
    db,
    { id, type: "batch.retry_started", workspaceId: input.workspaceId, payload },
    channels.map((c) => c.id),
  );
}
