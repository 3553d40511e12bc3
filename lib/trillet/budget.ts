import "server-only";

import { RateLimitedError } from "./errors";

/** Page views first, then exports (bulk walks), then mirror syncs (background). */
export type Priority = "interactive" | "bulk" | "background";
export const PRIORITIES: readonly Priority[] = ["interactive", "bulk", "background"];

/** What a workspace's upstream budget offers, in process (RequestBudget) or shared through PostgreSQL. */
export interface Budget {
  acquire(priority: Priority, signal?: AbortSignal, maxWaitMs?: number): Promise<void>;
  pauseUntil(until: number): void;
  stats(): BudgetStats;
}

export interface BudgetStats {
  granted: number;
  inWindow: number;
  /** Of those, page views' requests. */
  interactiveInWindow: number;
  queued: Record<Priority, number>;
  pausedUntil: number | null;
}

/**
 * How many of the window's requests bulk walks or mirror syncs (together) may account for: their
 * share of the limit, and never more than what page views leave free. Page views are expected to
 * ask next minute about what they asked in this one (`interactiveInWindow`), plus a small reserve,
 * so background work yields to a team watching a wallboard and takes the whole share when nobody
 * looks. At least one, so a copy or an export always moves.
 */
export function capFor(
  priority: Priority,
  limit: number,
  shares: { bulkShare: number; backgroundShare: number },
  interactiveInWindow = 0,
): number {
  if (priority === "interactive") return limit;
  const share = priority === "bulk" ? shares.bulkShare : shares.backgroundShare;
  return Math.max(1, Math.min(Math.floor(limit * share), limit - interactiveInWindow - interactiveReserve(limit)));
}

/** Slots kept free for page views beyond the ones they used in the last window. */
export function interactiveReserve(limit: number): number {
  return Math.max(1, Math.ceil(limit * 0.05));
}

export interface BudgetOptions {
  limitPerMinute: number;
  /** Length of the rolling window; Trillet's is a minute. Tests scale it down. */
  windowMs?: number;
  /**
   * Added to the 60 s window: Trillet counts requests when they arrive, we count them when they
   * leave, so a little slack keeps a burst from landing inside one of Trillet's windows twice.
   */
  safetyMs?: number;
  /** Share of the window bulk walks may fill, so a page view never waits behind a whole export. */
  bulkShare?: number;
  /** Share of the window mirror syncs may fill, leaving room for exports and page views. */
  backgroundShare?: number;
  now?: () => number;
}

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
  deadline?: ReturnType<typeof setTimeout>;
}

/**
 * One workspace's upstream request budget: at most `limitPerMinute` requests in any rolling
 * window (a sliding log, which also satisfies a fixed-window limiter upstream). Callers queue
 * instead of failing; interactive reads are served before bulk walks.
 */
export class RequestBudget implements Budget {
  readonly limit: number;
  readonly #shares: { bulkShare: number; backgroundShare: number };
  readonly #windowMs: number;
  readonly #now: () => number;
  /** Requests granted in the window, oldest first. */
  readonly #sent: { at: number; interactive: boolean }[] = [];
  readonly #queues: Record<Priority, Waiter[]> = { interactive: [], bulk: [], background: [] };
  #pausedUntil = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;
  #granted = 0;

  constructor(opts: BudgetOptions) {
    this.limit = opts.limitPerMinute;
    this.#shares = { bulkShare: opts.bulkShare ?? 0.95, backgroundShare: opts.backgroundShare ?? 0.8 };
    this.#windowMs = (opts.windowMs ?? 60_000) + (opts.safetyMs ?? 1_000);
    this.#now = opts.now ?? Date.now;
  }

  /**
   * Resolves when a request may go. With `maxWaitMs`, a caller that would wait longer gets a
   * RateLimitedError saying when the budget frees up instead (a page view should say so, not hang).
   */
  acquire(priority: Priority, signal?: AbortSignal, maxWaitMs?: number): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const now = this.#now();
    this.#expire(now);
    if (maxWaitMs !== undefined && this.#pausedUntil - now > maxWaitMs) {
      return Promise.reject(new RateLimitedError(this.#pausedUntil));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal };
      const leave = (reason: unknown) => {
        const queue = this.#queues[priority];
        const at = queue.indexOf(waiter);
        if (at >= 0) queue.splice(at, 1);
        if (waiter.deadline) clearTimeout(waiter.deadline);
        if (waiter.onAbort) signal?.removeEventListener("abort", waiter.onAbort);
        reject(reason);
      };
      if (signal) {
        waiter.onAbort = () => leave(signal.reason);
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      if (maxWaitMs !== undefined) {
        waiter.deadline = setTimeout(() => leave(new RateLimitedError(this.#now() + this.#waitFor(priority, this.#now()))), maxWaitMs);
      }
      this.#queues[priority].push(waiter);
      this.#drain();
    });
  }

  /** Trillet said the budget is spent until `until`: nobody goes before then. */
  pauseUntil(until: number) {
    if (until > this.#pausedUntil) this.#pausedUntil = until;
    this.#drain();
  }

  stats(): BudgetStats {
    this.#expire(this.#now());
    return {
      granted: this.#granted,
      inWindow: this.#sent.length,
      interactiveInWindow: this.#sent.filter((s) => s.interactive).length,
      queued: {
        interactive: this.#queues.interactive.length,
        bulk: this.#queues.bulk.length,
        background: this.#queues.background.length,
      },
      pausedUntil: this.#pausedUntil > this.#now() ? this.#pausedUntil : null,
    };
  }

  /** Milliseconds until a request of this priority could go, ignoring the queue ahead of it. */
  #waitFor(priority: Priority, now: number): number {
    if (now < this.#pausedUntil) return this.#pausedUntil - now;
    const leaves = (entry: { at: number } | undefined) => (entry?.at ?? now) + this.#windowMs - now;
    // Everyone: the limit itself.
    let wait = this.#sent.length < this.limit ? 0 : leaves(this.#sent[this.#sent.length - this.limit]);
    if (priority !== "interactive") {
      // Bulk and background: under their cap, which moves whenever any request leaves the window
      // (theirs, or a page view's), so look again when the oldest one does.
      const background = this.#sent.filter((s) => !s.interactive).length;
      const cap = capFor(priority, this.limit, this.#shares, this.#sent.length - background);
      if (background >= cap) wait = Math.max(wait, leaves(this.#sent[0]), 1);
    }
    return wait;
  }

  #expire(now: number) {
    let drop = 0;
    while (drop < this.#sent.length && (this.#sent[drop]?.at ?? 0) + this.#windowMs <= now) drop++;
    if (drop) this.#sent.splice(0, drop);
  }

  #drain() {
    const now = this.#now();
    this.#expire(now);
    for (;;) {
      const priority = PRIORITIES.find((p) => this.#queues[p].length > 0);
      if (!priority) return;
      const wait = this.#waitFor(priority, now);
      if (wait > 0) return this.#wakeIn(wait);
      const waiter = this.#queues[priority].shift()!;
      if (waiter.onAbort) waiter.signal?.removeEventListener("abort", waiter.onAbort);
      if (waiter.deadline) clearTimeout(waiter.deadline);
      this.#sent.push({ at: now, interactive: priority === "interactive" });
      this.#granted++;
      waiter.resolve();
    }
  }

  #wakeIn(ms: number) {
    const at = this.#now() + ms;
    if (this.#timer && this.#timerAt <= at) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      this.#drain();
    }, ms);
  }
}
