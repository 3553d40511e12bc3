import "server-only";

import { randomUUID } from "node:crypto";
import { hostname } from "node:os";

import { and, eq, lt, or, sql } from "drizzle-orm";

import { getDb, type Database } from "../db";
import { notificationDeliveries, notificationOutbox } from "../db/schema";
import { env } from "../env";
import { channelTarget } from "./channels";
import { sendOnce, type AttemptResult } from "./deliver";
import type { BatchEventPayload } from "./events";

// Delivers the outbox (events.ts), at least once per event and channel. Every instance runs one
// worker; a worker claims due rows with SKIP LOCKED (as the mirror claims sync jobs) and takes a
// lease on them: a row whose worker stopped answering (crash, restart) is claimed again once the
// lease runs out. A failed attempt is tried again after an exponential backoff (capped) until
// maxAttempts, then the row is "failed". Every attempt goes to the channel's delivery log.

export interface NotificationWorkerOptions {
  instance: string;
  database: () => Promise<Database>;
  timeoutMs: number;
  maxAttempts: number;
  allowPrivate: boolean;
  /** First retry after baseMs, doubling per attempt, never more than maxMs apart (default 30 s, 1 h). */
  backoff?: { baseMs: number; maxMs: number };
  /** How long a claim holds before another worker may take the row (default: the timeout + 30 s). */
  leaseMs?: number;
  /** Idle workers look for due rows this often (default 2 s). */
  pollMs?: number;
  /** Rows sent side by side (default 4). */
  concurrency?: number;
  /** Told about every attempt (tests). */
  onAttempt?: (attempt: { eventId: string; channelId: string; attempt: number; result: AttemptResult }) => void;
}

export interface NotificationWorker {
  /** Stops claiming, lets attempts under way end (or aborts them), and hands its claims back. */
  stop(): Promise<void>;
}

interface Claimed {
  id: number;
  event_id: string;
  channel_id: string;
  payload: BatchEventPayload;
  attempts: number;
}

const PRUNE_EVERY_MS = 3_600_000;

export const DEFAULT_BACKOFF = { baseMs: 30_000, maxMs: 3_600_000 };

/** Delay before the attempt after `attempts` failed ones: base·2^(attempts-1), capped, plus up to 10% jitter. */
export function backoffMs(attempts: number, backoff = DEFAULT_BACKOFF, random = Math.random): number {
  const plain = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(plain * (1 + random() * 0.1));
}

/** Claims up to `limit` due rows for `owner`: pending and due, or sending with an expired lease. */
export async function claimDue(db: Database, owner: string, limit: number, leaseMs: number): Promise<Claimed[]> {
  // Both drivers (node-postgres and PGlite) answer raw SQL with `{ rows }`.
  const result = (await db.execute(sql`
    update notification_outbox set
      state = 'sending', lease_owner = ${owner}, lease_until = now() + make_interval(secs => ${leaseMs / 1000}),
      attempts = attempts + 1
    where id in (
      select id from notification_outbox
      where (state = 'pending' and next_attempt_at <= now()) or (state = 'sending' and lease_until < now())
      order by next_attempt_at, id
      limit ${limit}
      for update skip locked
    )
    returning id, event_id, channel_id, payload, attempts`)) as unknown as { rows: Claimed[] };
  return result.rows.map((r) => ({ ...r, id: Number(r.id), attempts: Number(r.attempts) }));
}

export function startNotificationRunners(options: NotificationWorkerOptions): NotificationWorker {
  const controller = new AbortController();
  const { signal } = controller;
  const owner = options.instance;
  const leaseMs = options.leaseMs ?? options.timeoutMs + 30_000;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      timer.unref?.();
      signal.addEventListener("abort", wake, { once: true });
    });

  const mine = (id: number) =>
    and(eq(notificationOutbox.id, id), eq(notificationOutbox.state, "sending"), eq(notificationOutbox.leaseOwner, owner));

  const attempt = async (db: Database, row: Claimed): Promise<AttemptResult | null> => {
    let target;
    try {
      target = await channelTarget(db, row.channel_id);
    } catch {
      // Unreadable sealed URL (ENCRYPTION_KEY changed): an attempt that failed, retried like any.
      return {
        ok: false,
        statusCode: null,
        error: "The channel's URL could not be decrypted (was ENCRYPTION_KEY changed?).",
        durationMs: 0,
      };
    }
    // The channel was removed: its rows go with it (cascade); nothing to send.
    if (!target) return null;
    return sendOnce(target, row.payload, { timeoutMs: options.timeoutMs, allowPrivate: options.allowPrivate, signal });
  };

  const deliver = async (db: Database, row: Claimed) => {
    const result = await attempt(db, row);
    if (!result) return;
    if (!result.ok && signal.aborted) {
      // Stopped mid-attempt: not counted, due again at once for whoever runs next.
      await db
        .update(notificationOutbox)
        .set({
          state: "pending",
          leaseOwner: null,
          leaseUntil: null,
          attempts: sql`${notificationOutbox.attempts} - 1`,
          nextAttemptAt: sql`now()`,
        })
        .where(mine(row.id));
      return;
    }
    const last = !result.ok && row.attempts >= options.maxAttempts;
    const outcome = result.ok ? "delivered" : last ? "failed" : "retrying";
    await db.transaction(async (tx) => {
      const updated = await tx
        .update(notificationOutbox)
        .set({
          state: result.ok ? "delivered" : last ? "failed" : "pending",
          leaseOwner: null,
          leaseUntil: null,
          lastStatus: result.statusCode,
          lastError: result.error,
          ...(result.ok ? { deliveredAt: sql`now()` } : {}),
          ...(!result.ok && !last ? { nextAttemptAt: sql`now() + make_interval(secs => ${backoffMs(row.attempts, backoff) / 1000})` } : {}),
        })
        .where(mine(row.id))
        .returning({ id: notificationOutbox.id });
      // The lease ran out and another worker has the row: its attempt is the one that counts.
      if (updated.length === 0) return;
      await tx.insert(notificationDeliveries).values({
        channelId: row.channel_id,
        eventId: row.event_id,
        eventType: row.payload.type,
        attempt: row.attempts,
        outcome,
        statusCode: result.statusCode,
        error: result.error,
        durationMs: result.durationMs,
      });
    });
    options.onAttempt?.({ eventId: row.event_id, channelId: row.channel_id, attempt: row.attempts, result });
  };

  let prunedAt = 0;
  const loop = async () => {
    while (!signal.aborted) {
      try {
        const db = await options.database();
        if (Date.now() - prunedAt > PRUNE_EVERY_MS) {
          prunedAt = Date.now();
          await pruneNotifications(db);
        }
        const rows = await claimDue(db, owner, options.concurrency ?? 4, leaseMs);
        if (rows.length === 0) {
          await pause(options.pollMs ?? 2_000);
          continue;
        }
        // One row's trouble (say, a database error while recording it) does not hold up the others;
        // its lease runs out and it is claimed again.
        const outcomes = await Promise.allSettled(rows.map((row) => deliver(db, row)));
        for (const o of outcomes) {
          if (o.status === "rejected" && !signal.aborted)
            console.error("[notifications] delivery error", o.reason instanceof Error ? o.reason.message : String(o.reason));
        }
      } catch (error) {
        if (signal.aborted) break;
        console.error("[notifications] delivery error", error instanceof Error ? error.message : String(error));
        await pause(options.pollMs ?? 2_000);
      }
    }
  };

  const done = loop();
  return {
    async stop() {
      controller.abort(new Error("notification worker stopped"));
      await done.catch(() => {});
      const db = await options.database().catch(() => null);
      if (!db) return;
      await db
        .update(notificationOutbox)
        .set({
          state: "pending",
          leaseOwner: null,
          leaseUntil: null,
          attempts: sql`${notificationOutbox.attempts} - 1`,
          nextAttemptAt: sql`now()`,
        })
        .where(and(eq(notificationOutbox.state, "sending"), eq(notificationOutbox.leaseOwner, owner)))
        .catch((error: unknown) => console.error("[notifications] claims not released", error instanceof Error ? error.message : error));
    },
  };
}

/** The app's worker (lib/startup.ts): the app's database and settings. */
export function startNotificationWorker(pollMs = 2_000): NotificationWorker {
  return startNotificationRunners({
    instance: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    database: getDb,
    timeoutMs: env.NOTIFY_TIMEOUT_MS,
    maxAttempts: env.NOTIFY_MAX_ATTEMPTS,
    allowPrivate: env.ALLOW_PRIVATE_URLS,
    pollMs,
  });
}

/** Drops delivered and failed rows and log lines older than `days` (kept for the log in settings). */
export async function pruneNotifications(db: Database, days = 30): Promise<void> {
  const before = sql`now() - make_interval(days => ${days})`;
  await db
    .delete(notificationOutbox)
    .where(
      and(or(eq(notificationOutbox.state, "delivered"), eq(notificationOutbox.state, "failed")), lt(notificationOutbox.createdAt, before)),
    );
  await db.delete(notificationDeliveries).where(lt(notificationDeliveries.at, before));
}
