import "server-only";

import { LRUCache } from "lru-cache";

import { logger } from "../log";
import { RequestBudget, type Budget, type Priority } from "./budget";
import {
  TrilletClient,
  type ListCallsParams,
  type Read,
  type RequestOptions,
  type StartBatchInput,
  type TrilletCredentials,
} from "./client";
import { isForeignRateLimit, isTrilletError, RateLimitedError, retryAtOf, type TrilletErrorKind } from "./errors";
import { isFinished, type BatchStatus, type CallsPage, type StartedBatch } from "./schemas";
import type { SharedReadCache } from "./shared-cache";

export interface GatewayOptions {
  limitPerMinute: number;
  /** Budget window and its safety margin (defaults: Trillet's minute, 1 s); tests scale them down. */
  windowMs?: number;
  safetyMs?: number;
  timeoutMs: number;
  maxRetries: number;
  maxRateLimitWaitMs: number;
  /**
   * A page view's total deadline (default 8 s): its budget wait, attempts, back-offs and any 429
   * together. Past it the view answers with its last good read, or with what went wrong.
   */
  viewDeadlineMs?: number;
  /** How long a page view that has an older read to show waits for a fresh one (default 1 s). */
  staleGraceMs?: number;
  /** Bytes the cache of page-view reads may hold (default 32 MiB); it also keeps their last good reads. */
  cacheBytes?: number;
  /** Names the workspace in log lines: its internal id, never a credential. */
  label?: string;
  /** How long a read of a running batch is reused. */
  liveTtlMs: number;
  /** How long a read of a finished batch is reused (finished calls never change). */
  finishedTtlMs: number;
  fetch?: typeof fetch;
  now?: () => number;
  /** A budget shared with other instances (PostgreSQL); default: one in this process. */
  budget?: Budget;
  /**
   * Reads shared with other instances (PostgreSQL): their cache, and identical reads coalesced
   * across instances. Used for cacheable reads only; `fresh` reads skip it.
   */
  sharedCache?: SharedReadCache;
}

export interface ReadOptions {
  priority?: Priority;
  signal?: AbortSignal;
  /** Skip the cache (still coalesced with an identical read already under way). */
  fresh?: boolean;
}

/** Why a page view got an older read than it asked for: what happened to the fresh one. */
export interface Staleness {
  /** "slow": Trillet had not answered within the grace period; the refresh goes on behind. */
  kind: TrilletErrorKind | "slow";
  /** When the budget frees up again (rate limited), epoch ms. */
  retryAt?: number;
  /** The rate limit was reached by another tool using the same key. */
  foreign?: boolean;
}

/** A page view's read: fresh, or the last good read of the same view with why it is not fresh. */
export type ViewRead<T> = Read<T> & { stale?: Staleness };

/** What a failed fresh read means for a view shown from an older one. */
export function stalenessOf(error: unknown): Staleness {
  if (!isTrilletError(error)) return { kind: "unavailable" };
  const retryAt = retryAtOf(error);
  return { kind: error.kind, ...(retryAt ? { retryAt, foreign: isForeignRateLimit(error) } : {}) };
}

const DEFAULT_VIEW_DEADLINE_MS = 8_000;
const DEFAULT_STALE_GRACE_MS = 1_000;
const DEFAULT_CACHE_BYTES = 32 * 1024 * 1024;
// An error a last good read can stand in for. Not "not_found" (the batch is not there) nor
// "invalid_request" (the view itself is wrong).
const STALE_STANDS_IN_FOR = new Set<TrilletErrorKind>(["rate_limited", "unavailable", "invalid_response", "credentials", "incomplete"]);

interface InFlight<T> {
  promise: Promise<T>;
  controller: AbortController;
  waiters: number;
}

/**
 * Every upstream request of one workspace goes through here: one budget, identical concurrent
 * reads coalesced into one request, page views' reads cached briefly.
 *
 * A page view (interactive priority) never waits long: its read has one deadline across budget,
 * attempts and back-offs, a 429 is reported rather than waited out, and when the fresh read is
 * slow or fails it gets the last good read of the same view, marked stale, while the refresh goes
 * on behind it (stale-while-revalidate). Bulk walks and mirror syncs wait their turn instead, and
 * their reads are not cached: nobody reads them again.
 */
export class WorkspaceGateway {
  readonly budget: Budget;
  readonly #client: TrilletClient;
  readonly #options: GatewayOptions;
  readonly #inFlight = new Map<string, InFlight<unknown>>();
  /** Page views' reads: fresh for their TTL, then kept as the last good read until evicted by size. */
  readonly #cache: LRUCache<string, { value: Read<CallsPage> | Read<BatchStatus>; reusable: boolean }>;
  readonly #viewDeadlineMs: number;
  readonly #staleGraceMs: number;
  #upstreamReads = 0;
  #foreignUntil = 0;
  #foreignLoggedAt = 0;

  constructor(credentials: TrilletCredentials, options: GatewayOptions) {
    this.#options = options;
    this.budget =
      options.budget ??
      new RequestBudget({
        limitPerMinute: options.limitPerMinute,
        windowMs: options.windowMs,
        safetyMs: options.safetyMs,
        now: options.now,
      });
    this.#viewDeadlineMs = options.viewDeadlineMs ?? DEFAULT_VIEW_DEADLINE_MS;
    this.#staleGraceMs = Math.min(options.staleGraceMs ?? DEFAULT_STALE_GRACE_MS, this.#viewDeadlineMs);
    this.#cache = new LRUCache({
      maxSize: options.cacheBytes ?? DEFAULT_CACHE_BYTES,
      // UTF-16 length of the JSON: close to what the parsed value costs, and cheap next to the read.
      sizeCalculation: (entry) => Math.max(1, JSON.stringify(entry.value).length * 2),
      ttlAutopurge: false,
      // An expired entry is a page view's last good read: kept until the size bound evicts it.
      noDeleteOnStaleGet: true,
      perf: options.now ? { now: options.now } : undefined,
    });
    this.#client = new TrilletClient(credentials, {
      timeoutMs: options.timeoutMs,
      maxRetries: options.maxRetries,
      maxRateLimitWaitMs: options.maxRateLimitWaitMs,
      fetch: options.fetch,
      now: options.now,
      label: options.label,
      // A read held back by a pause that another tool's 429 caused says so, like the 429 itself.
      beforeAttempt: ({ priority = "interactive", signal, maxWaitMs }) =>
        this.budget.acquire(priority, signal, maxWaitMs).catch((error: unknown) => {
          const retryAt = retryAtOf(error);
          throw retryAt !== undefined && !isForeignRateLimit(error) && this.#foreignUntil >= retryAt
            ? new RateLimitedError(retryAt, true)
            : error;
        }),
      onRateLimited: (retryAt) => this.#rateLimited(retryAt),
    });
  }

  /**
   * Trillet said 429. If our own budget had room, the requests that filled Trillet's were not
   * ours: another tool uses this key. Everyone here pauses either way; the operator hears of it.
   */
  #rateLimited(retryAt: number): boolean {
    const { inWindow, pausedUntil, queued } = this.budget.stats();
    const foreign = inWindow < this.limitPerMinute - 1;
    this.budget.pauseUntil(retryAt);
    // Everyone waiting for this workspace's budget now waits for Trillet's reset: said once per pause.
    if (retryAt > (pausedUntil ?? 0)) {
      logger().warn(
        {
          event: "budget.paused",
          workspace: this.#options.label,
          until: new Date(retryAt).toISOString(),
          waitMs: Math.max(0, retryAt - this.#now()),
          queued,
          foreign,
        },
        "Workspace budget paused until Trillet's rate limit resets",
      );
    }
    if (foreign) {
      this.#foreignUntil = Math.max(this.#foreignUntil, retryAt);
      const now = this.#now();
      if (now - this.#foreignLoggedAt > 60_000) {
        this.#foreignLoggedAt = now;
        logger().warn(
          {
            event: "upstream.foreign_rate_limit",
            workspace: this.#options.label,
            sent: inWindow,
            limit: this.limitPerMinute,
            pausedUntil: new Date(retryAt).toISOString(),
          },
          "Trillet answered 429 while Batchboard's budget had room: another tool is using this workspace's key",
        );
      }
    }
    return foreign;
  }

  /** Until when (epoch ms) Trillet is refusing us because of another tool on the same key, if it is. */
  get foreignRateLimitUntil(): number | null {
    return this.#foreignUntil > this.#now() ? this.#foreignUntil : null;
  }

  #now() {
    return (this.#options.now ?? Date.now)();
  }

  listCalls(batchId: string, params: ListCallsParams = {}, options: ReadOptions = {}): Promise<ViewRead<CallsPage>> {
    const page = params.page ?? 1;
    const limit = params.limit ?? 20;
    const status = params.status ?? "all";
    const key = `calls\n${batchId}\n${status}\n${page}\n${limit}`;
    return this.#read(
      key,
      options,
      (request) => this.#client.listCalls(batchId, { page, limit, status }, request),
      (p) => isFinished(p.summary),
    );
  }

  getBatchStatus(batchId: string, options: ReadOptions = {}): Promise<ViewRead<BatchStatus>> {
    return this.#read(
      `status\n${batchId}`,
      options,
      (request) => this.#client.getBatchStatus(batchId, request),
      (s) => s.isComplete,
    );
  }

  /**
   * Starts a batch (one request, paid from the budget like a page view, never retried: see
   * TrilletClient.startBatch).
   */
  startBatch(input: StartBatchInput, options: { signal?: AbortSignal } = {}): Promise<StartedBatch> {
    return this.#client.startBatch(input, { priority: "interactive", signal: options.signal });
  }

  /** Cancels a batch, then forgets this process's reads of it so the next view shows the change. */
  async cancelBatch(batchId: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    try {
      await this.#client.cancelBatch(batchId, { priority: "interactive", signal: options.signal });
    } finally {
      for (const key of [...this.#cache.keys()]) {
        if (key.split("\n")[1] === batchId) this.#cache.delete(key);
      }
    }
  }

  /** Requests Trillet allows this workspace key per minute (the budget's limit). */
  get limitPerMinute(): number {
    return this.#options.limitPerMinute;
  }

  /** Reads that actually went to the client (after cache and coalescing), for tests and stats. */
  get upstreamReads() {
    return this.#upstreamReads;
  }

  #read<T extends Read<CallsPage> | Read<BatchStatus>>(
    key: string,
    options: ReadOptions,
    load: (request: RequestOptions) => Promise<T>,
    finished: (value: T) => boolean,
  ): Promise<ViewRead<T>> {
    const priority = options.priority ?? "interactive";
    const view = priority === "interactive";
    if (view && !options.fresh) {
      const hit = this.#cache.get(key);
      if (hit?.reusable) return Promise.resolve(hit.value as T);
    }
    // A page view never joins a walk's read of the same page: the walk may wait minutes for budget.
    const flightKey = `${view ? "view" : "work"}\n${key}`;
    let entry = this.#inFlight.get(flightKey) as InFlight<T> | undefined;
    if (!entry) {
      entry = this.#start(key, view, options, load, finished);
      this.#inFlight.set(flightKey, entry as InFlight<unknown>);
    }
    const joined = this.#join(entry, options.signal);
    if (!view || options.fresh) return joined;
    return this.#answerView(key, joined);
  }

  #start<T extends Read<CallsPage> | Read<BatchStatus>>(
    key: string,
    view: boolean,
    options: ReadOptions,
    load: (request: RequestOptions) => Promise<T>,
    finished: (value: T) => boolean,
  ): InFlight<T> {
    const controller = new AbortController();
    const request: RequestOptions = {
      signal: controller.signal,
      priority: options.priority,
      deadline: view ? this.#now() + this.#viewDeadlineMs : undefined,
    };
    // A running batch's reads expire on fixed clock boundaries (every liveTtlMs), not liveTtlMs
    // after each read: then one viewer polling faster than that costs what fifty do.
    const ttlFor = (value: T) => {
      if (finished(value)) return this.#options.finishedTtlMs;
      const live = this.#options.liveTtlMs;
      return live > 0 ? live - (value.receivedAt % live) : 0;
    };
    const upstream = () => {
      this.#upstreamReads++;
      return load(request);
    };
    const shared = view ? this.#options.sharedCache : undefined;
    const cacheable = Math.max(this.#options.finishedTtlMs, this.#options.liveTtlMs) > 0;
    // Local cache, then this process's in-flight read, then other instances' (cache and lock).
    const loaded = shared && cacheable && !options.fresh ? shared.getOrLoad(key, upstream, ttlFor, controller.signal) : upstream();
    const promise = loaded.then((value) => {
      if (view) {
        // Counted from when Trillet answered, so a copy from another instance is not kept longer.
        const age = shared ? Math.max(0, this.#now() - value.receivedAt) : 0;
        // Even a read not to be reused is kept (expired at once) as the view's last good read.
        const ttl = ttlFor(value) - age;
        this.#cache.set(key, { value, reusable: ttl > 0 }, { ttl: Math.max(1, ttl) });
      }
      return value;
    });
    const settled = promise.finally(() => this.#inFlight.delete(`${view ? "view" : "work"}\n${key}`));
    settled.catch((error: unknown) => {
      // A page view's read that failed: once per upstream read, however many viewers shared it.
      // The view then shows its last good read or the copy, marked stale, or says what went wrong.
      if (!view || controller.signal.aborted) return;
      const [what, batch] = key.split("\n");
      // An unknown batch or a malformed view is the visitor's, not an incident.
      const theirs = isTrilletError(error) && (error.kind === "not_found" || error.kind === "invalid_request");
      logger()[theirs ? "debug" : "warn"](
        {
          event: "view.read_failed",
          workspace: this.#options.label,
          batch,
          read: what,
          kind: isTrilletError(error) ? error.kind : "error",
          err: error,
        },
        "A page view's Trillet read failed",
      );
    });
    return { promise: settled, controller, waiters: 0 };
  }

  /**
   * A page view's answer: the fresh read if it comes within the grace period; otherwise, or if it
   * fails, the last good read of the view (this instance's, or another's through the shared
   * cache) marked stale with why, while the fresh read goes on behind it until its deadline.
   * With nothing older to show, the fresh read's own outcome, which the deadline bounds.
   */
  async #answerView<T extends Read<CallsPage> | Read<BatchStatus>>(key: string, joined: Promise<T>): Promise<ViewRead<T>> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<{ slow: true }>((resolve) => {
      timer = setTimeout(() => resolve({ slow: true }), this.#staleGraceMs);
    });
    const outcome = await Promise.race([
      joined.then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      ),
      grace,
    ]);
    clearTimeout(timer);
    if ("value" in outcome) return outcome.value;
    if ("error" in outcome && !(isTrilletError(outcome.error) && STALE_STANDS_IN_FOR.has(outcome.error.kind))) throw outcome.error;
    const last = await this.#lastGood<T>(key);
    if (!last) {
      if ("error" in outcome) throw outcome.error;
      return joined;
    }
    return { ...last, stale: "error" in outcome ? stalenessOf(outcome.error) : this.#slowness() };
  }

  async #lastGood<T>(key: string): Promise<T | undefined> {
    const local = this.#cache.get(key, { allowStale: true });
    if (local) return local.value as T;
    return (await this.#options.sharedCache?.getStale(key).catch(() => undefined)) as T | undefined;
  }

  /** The fresh read is still under way: waiting for Trillet's pause, or for Trillet itself. */
  #slowness(): Staleness {
    const paused = this.budget.stats().pausedUntil;
    if (paused) return { kind: "rate_limited", retryAt: paused, foreign: this.#foreignUntil >= paused };
    return { kind: "slow" };
  }

  /** Each caller may give up on its own; the shared request stops only when all of them have. */
  #join<T>(entry: InFlight<T>, signal?: AbortSignal): Promise<T> {
    entry.waiters++;
    if (!signal) return entry.promise;
    if (signal.aborted) {
      this.#leave(entry);
      return Promise.reject(signal.reason);
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        this.#leave(entry);
        reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      entry.promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
    });
  }

  #leave(entry: InFlight<unknown>) {
    if (--entry.waiters === 0) entry.controller.abort(new DOMException("Every reader left", "AbortError"));
  }
}
