import "server-only";

import { eq, lt, sql } from "drizzle-orm";

import type { Database } from "../db";
import { rateLimits } from "../db/schema";
import { throttleAddress } from "../http/client-address";

/*
 * Password attempts (sign-in, the current password on a password change, the setup and invite
 * forms) are throttled in the database, so every app instance sees the same counts, and a slot is
 * TAKEN BEFORE the password is checked: one SQL upsert increments a counter and returns it only if
 * the key is not in a delay, so N parallel attempts cannot all pass a check that runs before any
 * of them is recorded. A correct password gives the slot back ("refund").
 *
 * Instead of locking an account for a fixed time after a few failures (which lets anyone lock a
 * colleague out by typing 5 wrong passwords), each key earns a GROWING DELAY: the first `free`
 * attempts run at once, then each further attempt must wait base × 2^(attempts − free), up to a
 * cap. A key forgets its attempts once it has been idle for `idleMs`. Three keys per attempt:
 *
 *  - account + client address (PAIR): 5 free, then 30 s, 1 min, 2 min … up to 15 min. This is
 *    what stops one client guessing one account; it does not touch anyone at another address.
 *  - client address across accounts (ADDRESS): 30 free, then 10 s, 20 s … up to 15 min. This
 *    stops one client spraying one password over many accounts.
 *  - account across addresses (ACCOUNT): 20 free, then 1 s, 2 s … capped at 30 s. It only slows
 *    a guessing attack spread over many addresses (at most ~2 guesses a minute), it never locks:
 *    the owner, signing in from anywhere, waits at most 30 s.
 *
 * The keys are taken in that order and taking stops at the first refusal, so a refused attempt
 * costs only the keys of the one who made it (their own address, their own address+account pair),
 * never the shared account key. Refused attempts do not count, so hammering a delayed key does not
 * make its delay longer. Expired rows are purged at start-up and hourly (purgeExpiredThrottle).
 */

export interface ThrottleLayer {
  prefix: string;
  /** Attempts allowed at once before delays start. */
  free: number;
  baseMs: number;
  maxMs: number;
  /** The key forgets its attempts this long after the last one. */
  idleMs: number;
}

export const PAIR: ThrottleLayer = { prefix: "pair", free: 5, baseMs: 30_000, maxMs: 15 * 60_000, idleMs: 24 * 3_600_000 };
export const ADDRESS: ThrottleLayer = { prefix: "ip", free: 30, baseMs: 10_000, maxMs: 15 * 60_000, idleMs: 3_600_000 };
export const ACCOUNT: ThrottleLayer = { prefix: "account", free: 20, baseMs: 1_000, maxMs: 30_000, idleMs: 3_600_000 };

/** The delay set after the n-th attempt of a key (0: the next attempt may run at once). */
export function delayAfter(layer: ThrottleLayer, n: number): number {
  if (n < layer.free) return 0;
  return Math.min(layer.baseMs * 2 ** Math.min(n - layer.free, 40), layer.maxMs);
}

const iso = (d: Date) => d.toISOString();

/** Takes one attempt of `key`: 0 when taken, else the milliseconds until the key allows one. */
async function take(db: Database, layer: ThrottleLayer, key: string, now: Date): Promise<number> {
  const expire = new Date(now.getTime() + layer.idleMs);
  const firstDelay = delayAfter(layer, 1);
  const firstBlock = firstDelay > 0 ? iso(new Date(now.getTime() + firstDelay)) : null;
  const n = sql`(case when ${rateLimits.expire} is null or ${rateLimits.expire} <= ${iso(now)}::timestamptz then 1 else ${rateLimits.points} + 1 end)`;
  const result = (await db.execute(sql`
    insert into ${rateLimits} (key, points, expire, blocked_until)
    values (${key}, 1, ${iso(expire)}::timestamptz, ${firstBlock}::timestamptz)
    on conflict (key) do update set
      points = ${n},
      expire = excluded.expire,
      blocked_until = case when ${n} >= ${layer.free}
        then ${iso(now)}::timestamptz + least(${layer.baseMs}::float8 * power(2::float8, least(${n} - ${layer.free}, 40)), ${layer.maxMs}::float8) * interval '1 millisecond'
        else null end
    where ${rateLimits.expire} is null or ${rateLimits.expire} <= ${iso(now)}::timestamptz
      or ${rateLimits.blockedUntil} is null or ${rateLimits.blockedUntil} <= ${iso(now)}::timestamptz
    returning points`)) as unknown as { rows: { points: number }[] };
  if (result.rows.length > 0) return 0;
  return waitFor(db, key, now);
}

async function waitFor(db: Database, key: string, now: Date): Promise<number> {
  const [row] = await db
    .select({ blockedUntil: rateLimits.blockedUntil, expire: rateLimits.expire })
    .from(rateLimits)
    .where(eq(rateLimits.key, key));
  if (!row?.blockedUntil || (row.expire && row.expire <= now)) return 0;
  return Math.max(0, row.blockedUntil.getTime() - now.getTime());
}

async function refund(db: Database, key: string): Promise<void> {
  await db
    .update(rateLimits)
    .set({ points: sql`greatest(${rateLimits.points} - 1, 0)` })
    .where(eq(rateLimits.key, key));
}

export interface AttemptSubject {
  /** The account (normalised email) the password is for; null for a form without one (setup, invite). */
  account: string | null;
  /** The client address (see request-info.ts); null when unknown: all unknown share one key. */
  address: string | null;
  /** Names the form for a subject without an account, so its pair key is its own. */
  form?: string;
}

export type Attempt =
  | { allowed: true; /** The password was right: give the slots back. */ succeeded(): Promise<void> }
  | { allowed: false; retryAfterMs: number };

function keysOf(subject: AttemptSubject) {
  // IPv6 clients by their /64: one subscriber gets a whole block to rotate through.
  const address = throttleAddress(subject.address) ?? "unknown";
  const who = subject.account ?? `form:${subject.form ?? "unknown"}`;
  return {
    address: `${ADDRESS.prefix}:${address}`,
    pair: `${PAIR.prefix}:${who}|${address}`,
    account: subject.account ? `${ACCOUNT.prefix}:${subject.account}` : null,
  };
}

/** Takes the slots for one password check; call before any password hashing. */
export async function beginAttempt(db: Database, subject: AttemptSubject, now = new Date()): Promise<Attempt> {
  const keys = keysOf(subject);
  const steps: [ThrottleLayer, string][] = [
    [ADDRESS, keys.address],
    [PAIR, keys.pair],
    ...(keys.account ? [[ACCOUNT, keys.account] as [ThrottleLayer, string]] : []),
  ];
  for (const [layer, key] of steps) {
    const wait = await take(db, layer, key, now);
    if (wait > 0) return { allowed: false, retryAfterMs: wait };
  }
  return {
    allowed: true,
    async succeeded() {
      await db.delete(rateLimits).where(eq(rateLimits.key, keys.pair));
      await refund(db, keys.address);
      if (keys.account) await refund(db, keys.account);
    },
  };
}

/** Milliseconds until an attempt for this subject could run (read only; 0 when it could now). */
export async function attemptBlockedFor(db: Database, subject: AttemptSubject, now = new Date()): Promise<number> {
  const keys = keysOf(subject);
  const waits = await Promise.all([keys.address, keys.pair, keys.account].filter((k): k is string => !!k).map((k) => waitFor(db, k, now)));
  return Math.max(0, ...waits);
}

/** Deletes the rows of keys idle past their window (they count as fresh anyway). */
export async function purgeExpiredThrottle(db: Database, now = new Date()): Promise<number> {
  const removed = await db.delete(rateLimits).where(lt(rateLimits.expire, now)).returning({ key: rateLimits.key });
  return removed.length;
}

/** A user-facing "try again in …" for a wait. */
export function retryMessage(ms: number): string {
  if (ms < 60_000) {
    const s = Math.max(1, Math.ceil(ms / 1000));
    return `Try again in ${s} second${s === 1 ? "" : "s"}.`;
  }
  const m = Math.ceil(ms / 60_000);
  return `Try again in ${m} minute${m === 1 ? "" : "s"}.`;
}
