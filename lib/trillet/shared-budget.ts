import "server-only";

import { createHash } from "node:crypto";

import { sql } from "drizzle-orm";

import type { Database } from "../db";
import { logger } from "../log";
import { capFor, interactiveReserve, PRIORITIES, type Budget, type BudgetStats, type Priority } from "./budget";
import { RateLimitedError } from "./errors";

/**
 * A stable signed 64-bit advisory-lock key (as a decimal string, cast to bigint in SQL) for one
 * thing of one kind. Every instance derives the same number from the same name.
 */
export function advisoryLockKey(kind: string, name: string): string {
  return createHash("sha256").update(`batchboard:${kind}:${name}`).digest().readBigInt64BE(0).toString();
}

export interface SharedBudgetOptions {
  db: Database;
  /** Whose budget this is: the workspace's internal id (never a credential). */
  budgetKey: string;
  limitPerMinute: number;
  /** Length of the rolling window (Trillet's minute); tests scale it down. */
  windowMs?: number;
  /** Slack added to the window, as in RequestBudget. */
  safetyMs?: number;
  bulkShare?: number;
  backgroundShare?: number;
  /** Longest local sleep between two looks at the database while waiting (default 1 s). */
  maxRecheckMs?: number;
}

interface Waiter {
  priority: Priority;
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
  deadline?: ReturnType<typeof setTimeout>;
  /** Local epoch ms after which this caller would rather hear "rate limited". */
  deadlineAt?: number;
}

interface Attempt {
  /** Ids of the rows inserted, one per grant. */
  ids: string[];
  inWindow: number;
  interactiveInWindow: number;
  /** Milliseconds until the pause ends, when one is in force. */
  pauseMs: number | null;
  /** Milliseconds until the next request of this priority could go (0: now). */
  waitMs: number;
}

/**
 * One workspace's upstream budget shared by every app instance on one PostgreSQL database: the
 * same rules as RequestBudget (a sliding log of at most `limit` requests per window, per-priority
 * caps, queueing, a pause after a 429), kept in `upstream_requests` / `upstream_pauses`.
 *
 * Each grant is decided in one short transaction under `pg_advisory_xact_lock` on the budget's
 * key, on the database's clock, so instances neither race nor disagree about time. Within an
 * instance callers queue locally (interactive, then bulk, then background) and only the head of
 * that queue asks the database; when the window is full it sleeps until the database says a slot
 * frees (at most `maxRecheckMs` between looks).
 */
export class SharedBudget implements Budget {
  readonly limit: number;
  readonly budgetKey: string;
  readonly #db: Database;
  readonly #lockKey: string;
  readonly #shares: { bulkShare: number; backgroundShare: number };
  readonly #windowMs: number;
  readonly #maxRecheckMs: number;
  readonly #queues: Record<Priority, Waiter[]> = { interactive: [], bulk: [], background: [] };
  #running = false;
  #wake: { priority: Priority; now: () => void } | undefined;
  #granted = 0;
  #inWindow = 0;
  #interactiveInWindow = 0;
  /** The latest pause this instance knows of (its own, or one read from the database). */
  #pausedUntil = 0;
  /** Local estimate of when the queue's head could go, for the "rate limited" answer. */
  #nextFreeAt = 0;
  #pauseWrite: Promise<void> = Promise.resolve();
  #lastPruneAt = 0;

  constructor(opts: SharedBudgetOptions) {
    this.limit = opts.limitPerMinute;
    this.budgetKey = opts.budgetKey;
    this.#db = opts.db;
    this.#lockKey = advisoryLockKey("budget", opts.budgetKey);
    this.#shares = { bulkShare: opts.bulkShare ?? 0.95, backgroundShare: opts.backgroundShare ?? 0.8 };
    this.#windowMs = (opts.windowMs ?? 60_000) + (opts.safetyMs ?? 1_000);
    this.#maxRecheckMs = opts.maxRecheckMs ?? 1_000;
  }

  acquire(priority: Priority, signal?: AbortSignal, maxWaitMs?: number): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const now = Date.now();
    if (maxWaitMs !== undefined && this.#pausedUntil - now > maxWaitMs) {
      return Promise.reject(new RateLimitedError(this.#pausedUntil));
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { priority, resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => this.#leave(waiter, signal.reason);
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      if (maxWaitMs !== undefined) {
        waiter.deadlineAt = now + maxWaitMs;
        waiter.deadline = setTimeout(
          () => this.#leave(waiter, new RateLimitedError(Math.max(this.#nextFreeAt, this.#pausedUntil, Date.now() + 1))),
          maxWaitMs,
        );
      }
      this.#queues[priority].push(waiter);
      this.#kick(priority);
    });
  }

  /** Trillet said the budget is spent until `until`: no instance sends before then. */
  pauseUntil(until: number) {
    if (until <= this.#pausedUntil) return;
    this.#pausedUntil = until;
    // Written in the background (the interface is synchronous); the next grant waits for it.
    this.#pauseWrite = this.#pauseWrite.then(() =>
      this.#db
        .execute(
          sql`
          insert into upstream_pauses (budget_key, until)
          values (${this.budgetKey}, to_timestamp(${until}::float8 / 1000))
          on conflict (budget_key) do update set until = greatest(upstream_pauses.until, excluded.until)`,
        )
        .then(
          () => undefined,
          // The pause is still honoured here; the other instances will hear Trillet's 429 themselves.
          (error: unknown) =>
            logger().warn({ event: "budget.share_failed", budget: this.budgetKey, err: error }, "Budget: could not share a pause"),
        ),
    );
  }

  /** Resolves once this instance's pauses are written (tests, shutdown). */
  flush(): Promise<void> {
    return this.#pauseWrite;
  }

  /** `inWindow` is the count the database reported at this instance's last grant decision. */
  stats(): BudgetStats {
    return {
      granted: this.#granted,
      inWindow: this.#inWindow,
      interactiveInWindow: this.#interactiveInWindow,
      queued: {
        interactive: this.#queues.interactive.length,
        bulk: this.#queues.bulk.length,
        background: this.#queues.background.length,
      },
      pausedUntil: this.#pausedUntil > Date.now() ? this.#pausedUntil : null,
    };
  }

  #head(): Priority | undefined {
    return PRIORITIES.find((p) => this.#queues[p].length > 0);
  }

  #kick(priority: Priority) {
    if (!this.#running) {
      this.#running = true;
      void this.#run().finally(() => {
        this.#running = false;
        const next = this.#head();
        if (next) this.#kick(next);
      });
    } else if (this.#wake && PRIORITIES.indexOf(priority) < PRIORITIES.indexOf(this.#wake.priority)) {
      // A more urgent caller should not sleep through a wait computed for a less urgent one.
      this.#wake.now();
    }
  }

  #leave(waiter: Waiter, reason: unknown) {
    const queue = this.#queues[waiter.priority];
    const at = queue.indexOf(waiter);
    if (at < 0) return;
    queue.splice(at, 1);
    this.#settle(waiter);
    waiter.reject(reason);
    if (!this.#head()) this.#wake?.now();
  }

  #settle(waiter: Waiter) {
    if (waiter.deadline) clearTimeout(waiter.deadline);
    if (waiter.onAbort) waiter.signal?.removeEventListener("abort", waiter.onAbort);
  }

  /** The next waiter that may use a slot granted under `priority`'s cap (itself or more urgent). */
  #takeFor(priority: Priority): Waiter | undefined {
    for (const p of PRIORITIES.slice(0, PRIORITIES.indexOf(priority) + 1)) {
      const waiter = this.#queues[p].shift();
      if (waiter) return waiter;
    }
    return undefined;
  }

  async #run() {
    for (;;) {
      // A pause this instance heard is written before it decides anything else.
      await this.#pauseWrite;
      const priority = this.#head();
      if (!priority) return;
      let attempt: Attempt;
      try {
        attempt = await this.#attempt(priority, this.#queues[priority].length);
      } catch (error) {
        // The database failed: the caller at the head hears it rather than waiting forever.
        const waiter = this.#queues[priority].shift();
        if (waiter) {
          this.#settle(waiter);
          waiter.reject(error);
        }
        continue;
      }
      const now = Date.now();
      this.#inWindow = attempt.inWindow;
      this.#interactiveInWindow = attempt.interactiveInWindow;
      if (attempt.pauseMs !== null) this.#pausedUntil = Math.max(this.#pausedUntil, now + attempt.pauseMs);
      this.#nextFreeAt = now + attempt.waitMs;

      const unused: string[] = [];
      for (const id of attempt.ids) {
        const waiter = this.#takeFor(priority);
        if (!waiter) {
          unused.push(id);
          continue;
        }
        this.#settle(waiter);
        this.#granted++;
        waiter.resolve();
      }
      // Grants whose callers left while the database was deciding go back to the pool.
      if (unused.length) await this.#giveBack(unused);

      const next = this.#head();
      if (!next) return;
      if (next !== priority || attempt.waitMs <= 0) continue;
      this.#rejectPast(priority, now + attempt.waitMs);
      if (!this.#head()) return;
      await this.#sleep(Math.max(1, Math.min(attempt.waitMs, this.#maxRecheckMs)), priority);
    }
  }

  /** Callers of this priority or below that would wait past their bound hear "rate limited" now. */
  #rejectPast(priority: Priority, freeAt: number) {
    for (const p of PRIORITIES.slice(PRIORITIES.indexOf(priority))) {
      for (const waiter of [...this.#queues[p]]) {
        if (waiter.deadlineAt !== undefined && waiter.deadlineAt < freeAt) this.#leave(waiter, new RateLimitedError(freeAt));
      }
    }
  }

  #sleep(ms: number, priority: Priority): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.#wake === wake) this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      const wake = { priority, now: done };
      this.#wake = wake;
    });
  }

  /**
   * One decision, on the database's clock, under the budget's transaction-scoped advisory lock:
   * count the window, check the pause, insert up to `want` grants that fit under the cap, and say
   * when the next one could go (the cap-th newest request leaving the window, or the pause ending).
   */
  async #attempt(priority: Priority, want: number): Promise<Attempt> {
    const interactive = priority === "interactive";
    // Bulk and background may fill their share, less what page views used in the window (capFor).
    const shareCap = capFor(priority, this.limit, this.#shares);
    const reserve = interactiveReserve(this.limit);
    const limit = this.limit;
    const key = this.budgetKey;
    const windowMs = this.#windowMs;
    const prune = Date.now() - this.#lastPruneAt > windowMs;
    const row = await this.#db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${this.#lockKey}::bigint)`);
      const result = (await tx.execute(sql`
        with c as materialized (select clock_timestamp() as now),
        w as materialized (
          select r.at, r.priority = 'interactive' as inter from upstream_requests r, c
          where r.budget_key = ${key} and r.at > c.now - ${windowMs}::float8 * interval '1 millisecond'
        ),
        s as materialized (
          select c.now,
            (select count(*)::int from w) as n,
            (select count(*)::int from w where inter) as ni,
            (select p.until from upstream_pauses p where p.budget_key = ${key} and p.until > c.now) as paused
          from c
        ),
        cap as materialized (
          select case when ${interactive}::boolean then ${limit}::int
            else greatest(1, least(${shareCap}::int, ${limit}::int - s.ni - ${reserve}::int)) end as cap
          from s
        ),
        g as materialized (
          select case when s.paused is null then greatest(0, least(
            ${want}::int,
            ${limit}::int - s.n,
            case when ${interactive}::boolean then ${limit}::int else cap.cap - (s.n - s.ni) end
          )) else 0 end as k
          from s, cap
        ),
        ins as (
          insert into upstream_requests (budget_key, at, priority)
          select ${key}, s.now, ${priority} from s, g, generate_series(1, g.k)
          returning id
        ),
        everyone as (
          select at from w
          union all
          select s.now from s, g, generate_series(1, g.k)
        )
        select
          (select coalesce(array_agg(id::text), '{}') from ins) as ids,
          s.n + g.k as in_window,
          s.ni + case when ${interactive}::boolean then g.k else 0 end as interactive_in_window,
          (extract(epoch from s.paused - s.now) * 1000)::float8 as pause_ms,
          (select (extract(epoch from e.at - s.now) * 1000)::float8 + ${windowMs}::float8
             from everyone e order by e.at desc offset ${limit}::int - 1 limit 1) as slot_ms,
          -- At its cap, bulk or background looks again when the oldest request leaves: the cap moves then.
          case when not ${interactive}::boolean and s.n - s.ni + g.k >= cap.cap then
            (select (extract(epoch from min(e.at) - s.now) * 1000)::float8 + ${windowMs}::float8 from everyone e)
          end as cap_ms
        from s, g, cap`)) as unknown as {
        rows: {
          ids: string[];
          in_window: number;
          interactive_in_window: number;
          pause_ms: number | null;
          slot_ms: number | null;
          cap_ms: number | null;
        }[];
      };
      if (prune) {
        // Rows older than two windows can never count again.
        await tx.execute(sql`
          delete from upstream_requests
          where budget_key = ${key} and at < clock_timestamp() - ${2 * windowMs}::float8 * interval '1 millisecond'`);
      }
      return result.rows[0];
    });
    if (prune) this.#lastPruneAt = Date.now();
    if (!row) throw new Error("The budget query returned no row.");
    const waitMs =
      row.pause_ms !== null ? Math.max(0, row.pause_ms) : Math.max(0, row.slot_ms ?? 0, row.cap_ms === null ? 0 : Math.max(1, row.cap_ms));
    return { ids: row.ids, inWindow: row.in_window, interactiveInWindow: row.interactive_in_window, pauseMs: row.pause_ms, waitMs };
  }

  async #giveBack(ids: string[]) {
    try {
      await this.#db.execute(sql`
        delete from upstream_requests
        where budget_key = ${this.budgetKey} and id in (${sql.join(
          ids.map((id) => sql`${id}::bigint`),
          sql`, `,
        )})`);
    } catch {
      // Not given back: the slot stays counted until it leaves the window (safe, just unused).
    }
  }
}
