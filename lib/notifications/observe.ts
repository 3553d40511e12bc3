import "server-only";

import { sql } from "drizzle-orm";

import type { Database } from "../db";
import { notificationBatchWatch } from "../db/schema";
import { isFinished, type BatchSummary } from "../trillet/schemas";
import { alreadyQueued, batchPayload, channelsFor, enqueue, eventIds, type NotificationEvent } from "./events";

// Where batch events come from. The mirror tells the notifier what it read of a tracked batch at
// the end of every pass (lib/mirror/sync.ts completePass) and when an export's walk
// freezes a batch (lib/mirror/from-walk.ts): the mirror follows every tracked batch that
// has not finished, so its passes are the app's observations of progress.
//
// Only batches seen running are announced: opening last month's batch says nothing to anyone.

export interface Observation {
  workspaceId: string;
  batchId: string;
  /** Trillet's counts at the end of the pass. */
  summary: BatchSummary;
  /** The pass saw the batch running (at its start or end). */
  sawRunning: boolean;
  /** A verified final pass of a finished batch (full read, counts checked): batch.finished. */
  final: boolean;
  /** Cancelled: its stopped calls stay "waiting", so it is over once none is active (never stalled). */
  cancelled?: boolean;
  at?: Date;
}

/** The counts that, when they change, are progress. */
const progressKey = (s: BatchSummary) => `${s.total}/${s.waiting}/${s.active}/${s.completed}/${s.failed}`;

/**
 * Records the observation and writes the events it triggers to the outbox (idempotent: called
 * again with the same facts it adds nothing). Call it before the write that marks the pass done,
 * so that a crash in between repeats the pass and the enqueue rather than losing the event.
 */
export async function observeBatch(db: Database, o: Observation): Promise<number> {
  const at = o.at ?? new Date();
  const key = progressKey(o.summary);
  const w = notificationBatchWatch;
  const [watch] = await db
    .insert(w)
    .values({ workspaceId: o.workspaceId, batchId: o.batchId, seenRunningAt: o.sawRunning ? at : null, progressKey: key, progressAt: at })
    .onConflictDoUpdate({
      target: [w.workspaceId, w.batchId],
      set: {
        seenRunningAt: sql`coalesce(${w.seenRunningAt}, excluded.seen_running_at)`,
        progressAt: sql`case when ${w.progressKey} = excluded.progress_key then ${w.progressAt} else excluded.progress_at end`,
        progressKey: sql`excluded.progress_key`,
      },
    })
    .returning({ seenRunningAt: w.seenRunningAt, progressAt: w.progressAt });
  if (!watch?.seenRunningAt) return 0;

  const channels = await channelsFor(db, o.workspaceId);
  if (channels.length === 0) return 0;
  const takes = (type: NotificationEvent) => channels.filter((c) => c.events.includes(type));
  let added = 0;
  const send = async (id: string, type: NotificationEvent, channelIds: string[], details?: Record<string, unknown>) => {
    const queued = await alreadyQueued(db, id, channelIds);
    const fresh = channelIds.filter((c) => !queued.has(c));
    if (fresh.length === 0) return;
    const payload = await batchPayload(db, { id, type, workspaceId: o.workspaceId, batchId: o.batchId, counts: o.summary, details });
    if (payload) added += await enqueue(db, { id, type, workspaceId: o.workspaceId, payload }, fresh);
  };

  const { completed, failed, waiting } = o.summary;
  const done = completed + failed;
  // Each channel has its own threshold: the event goes to a channel once its threshold is crossed,
  // once per batch (the id names the batch, the outbox row the channel).
  if (done > 0) {
    const crossed = takes("batch.failure_rate").filter((c) => done >= c.minFinishedCalls && (failed / done) * 100 >= c.failureRatePercent);
    for (const c of crossed) {
      await send(eventIds.failureRate(o.workspaceId, o.batchId), "batch.failure_rate", [c.id], {
        thresholdPercent: c.failureRatePercent,
        minFinishedCalls: c.minFinishedCalls,
      });
    }
  }

  // A batch none of whose calls has started may be scheduled for later: not a stall.
  const started = done + o.summary.active > 0;
  const over = isFinished(o.summary) || (o.cancelled === true && o.summary.active === 0);
  if (!over && !o.cancelled && waiting > 0 && started) {
    const stalledMs = at.getTime() - watch.progressAt.getTime();
    const stalled = takes("batch.stalled").filter((c) => stalledMs >= c.stallMinutes * 60_000);
    for (const c of stalled) {
      await send(eventIds.stalled(o.workspaceId, o.batchId, watch.progressAt), "batch.stalled", [c.id], {
        noProgressSince: watch.progressAt.toISOString(),
        stallMinutes: c.stallMinutes,
      });
    }
  }

  if (o.final && over) {
    const finished = takes("batch.finished");
    if (finished.length > 0)
      await send(
        eventIds.finished(o.workspaceId, o.batchId),
        "batch.finished",
        finished.map((c) => c.id),
      );
  }
  return added;
}
