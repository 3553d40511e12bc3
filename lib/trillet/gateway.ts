import "server-only";
import { LRUCache } from "lru-cache";
import { RequestBudget, type Budget, type Priority } from "./budget";
import { TrilletClient, type ListCallsParams, type Read, type RequestOptions, type TrilletCredentials } from "./client";
import { isFinished, type BatchStatus, type CallsPage } from "./schemas";
import type { SharedReadCache } from "./shared-cache";

export interface GatewayOptions {
  limitPerMinute: number;
  /** Budget window and its safety margin (defaults: Trillet's minute, 1 s); tests scale them down. */
  windowMs?: number;
  safetyMs?: number;
  timeoutMs: number;
  maxRetries: number;
  maxRateLimitWaitMs: number;
  /** The longest an interactive read queues for budget before it reports "rate limited" instead. */
  interactiveMaxWaitMs?: number;
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

interface InFlight<T> {
  promise: Promise<T>;
  controller: AbortController;
  waiters: number;
}

/**
 * Every upstream request of one workspace goes through here: one budget, identical concurrent
 * reads coalesced into one request, short-lived results cached.
 */
export class WorkspaceGateway {
  readonly budget: Budget;
  readonly #client: TrilletClient;
  readonly #options: GatewayOptions;
  readonly #inFlight = new Map<string, InFlight<unknown>>();
  readonly #cache: LRUCache<string, { value: CallsPage | BatchStatus }>;
  #upstreamReads = 0;

  constructor(credentials: TrilletCredentials, options: GatewayOptions) {
    this.#options = options;
    this.budget = options.budget ?? new RequestBudget({
      limitPerMinute: options.limitPerMinute,
      windowMs: options.windowMs,
      safetyMs: options.safetyMs,
      now: options.now,
    });
    this.#cache = new LRUCache({ max: 2_000, ttlAutopurge: false, perf: options.now ? { now: options.now } : undefined });
    this.#client = new TrilletClient(credentials, {
      timeoutMs: options.timeoutMs,
      maxRetries: options.maxRetries,
      maxRateLimitWaitMs: options.maxRateLimitWaitMs,
      fetch: options.fetch,
      now: options.now,
      beforeAttempt: ({ priority = "interactive", signal }) =>
        this.budget.acquire(priority, signal, priority === "interactive" ? options.interactiveMaxWaitMs : undefined),
      onRateLimited: (retryAt) => this.budget.pauseUntil(retryAt),
    });
  }

  listCalls(batchId: string, params: ListCallsParams = {}, options: ReadOptions = {}): Promise<Read<CallsPage>> {
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

  getBatchStatus(batchId: string, options: ReadOptions = {}): Promise<Read<BatchStatus>> {
    return this.#read(
      `status\n${batchId}`,
      options,
      (request) => this.#client.getBatchStatus(batchId, request),
      (s) => s.isComplete,
    );
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
  ): Promise<T> {
    if (!options.fresh) {
      const hit = this.#cache.get(key);
      if (hit) return Promise.resolve(hit.value as T);
    }
    let entry = this.#inFlight.get(key) as InFlight<T> | undefined;
    if (!entry) {
      const controller = new AbortController();
      const request: RequestOptions = { signal: controller.signal, priority: options.priority };
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
      const shared = this.#options.sharedCache;
      const cacheable = Math.max(this.#options.finishedTtlMs, this.#options.liveTtlMs) > 0;
      // Local cache, then this process's in-flight read, then other instances' (cache and lock).
      const loaded =
        shared && cacheable && !options.fresh ? shared.getOrLoad(key, upstream, ttlFor, controller.signal) : upstream();
      const promise = loaded.then((value) => {
        // Counted from when Trillet answered, so a copy from another instance is not kept longer.
        const age = shared ? Math.max(0, (this.#options.now ?? Date.now)() - value.receivedAt) : 0;
        const ttl = ttlFor(value) - age;
        if (ttl > 0) this.#cache.set(key, { value }, { ttl });
        return value;
      });
      const settled = promise.finally(() => this.#inFlight.delete(key));
      settled.catch(() => {});
      entry = { promise: settled, controller, waiters: 0 };
      this.#inFlight.set(key, entry as InFlight<unknown>);
    }
    return this.#join(entry, options.signal);
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
