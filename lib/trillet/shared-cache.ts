import "server-only";

import type { Pool, PoolClient } from "pg";

import type { Database } from "../db";
import { logger } from "../log";
import { advisoryLockKey } from "./shared-budget";

export interface SharedReadCacheOptions {
  /** A node-postgres database (PostgreSQL): the lock needs a session of its own from its pool. */
  db: Database;
  /**
   * Prefix of every key: the workspace's internal id (and its connection version), so instances
   * share entries without any key naming a Trillet credential or workspace id.
   */
  namespace: string;
  /**
   * Most reads this instance loads under the cross-instance lock at once. Each holds a pooled
   * connection for the whole load (budget wait included), so this stays well under the pool size;
   * past it a read loads without the lock (still cached, just not coalesced across instances).
   */
  maxLockedLoads?: number;
}

const PRUNE_EVERY_MS = 60_000;
/** How long an expired entry stays as a page view's last good read for instances that have none. */
const KEEP_STALE_MS = 60 * 60_000;
/**
 * Part of every key: bumped whenever the shape of a cached value changes (the parsed page or
 * status), so during a rolling deploy old and new instances never read each other's entries.
 */
const VALUE_FORMAT = "v1";

/**
 * Short-lived upstream reads shared by app instances through `upstream_cache`, and identical
 * reads coalesced across instances: the first instance to miss takes a session-level advisory
 * lock on the key and loads; the others wait on that lock, then find its answer in the cache.
 *
 * Values are stored as their JSON text (a jsonb string), not as a jsonb object: jsonb reorders
 * object keys, and the order of a call's metadata keys is the order of a report's columns.
 */
export class SharedReadCache {
  readonly #pool: Pool;
  readonly #namespace: string;
  readonly #maxLockedLoads: number;
  #lockedLoads = 0;
  #lastPruneAt = 0;

  constructor(opts: SharedReadCacheOptions) {
    this.#pool = poolOf(opts.db);
    this.#namespace = opts.namespace;
    this.#maxLockedLoads = Math.max(1, opts.maxLockedLoads ?? Math.floor(((this.#pool.options.max as number | undefined) ?? 10) / 3));
  }

  /**
   * The cached value of `key` if another read (on any instance) stored one that has not expired;
   * otherwise `load()` once across instances, stored for `ttlFor(value)` ms (0: not stored).
   * Failures are not stored. A caller whose `signal` fired while it waited for the lock does not load.
   */
  async getOrLoad<T>(key: string, load: () => Promise<T>, ttlFor: (value: T) => number, signal?: AbortSignal): Promise<T> {
    const cacheKey = `${VALUE_FORMAT}\n${this.#namespace}\n${key}`;
    const hit = await this.#lookup(cacheKey);
    if (hit !== undefined) return hit as T;
    if (this.#lockedLoads >= this.#maxLockedLoads) return this.#loadAndStore(cacheKey, load, ttlFor);

    this.#lockedLoads++;
    const lockKey = advisoryLockKey("read", cacheKey);
    let client: PoolClient | undefined;
    let locked = false;
    let reusable = true;
    try {
      client = await this.#pool.connect();
      try {
        await client.query("select pg_advisory_lock($1::bigint)", [lockKey]);
        locked = true;
      } catch (error) {
        reusable = false;
        throw error;
      }
      signal?.throwIfAborted();
      // Whoever held the lock before us may have just stored the answer.
      const stored = await this.#lookup(cacheKey, client);
      if (stored !== undefined) return stored as T;
      return await this.#loadAndStore(cacheKey, load, ttlFor, client);
    } finally {
      if (client) {
        if (locked) {
          try {
            await client.query("select pg_advisory_unlock($1::bigint)", [lockKey]);
          } catch {
            reusable = false;
          }
        }
        // A session whose lock state is unknown is closed, which releases whatever it held.
        client.release(reusable ? undefined : true);
      }
      this.#lockedLoads--;
    }
  }

  /**
   * The last read stored under `key` by any instance, expired or not (up to an hour after it
   * expired): what a page view shows, marked stale, when its fresh read is slow or fails.
   */
  async getStale(key: string): Promise<unknown> {
    return this.#lookup(`${VALUE_FORMAT}\n${this.#namespace}\n${key}`, this.#pool, true);
  }

  async #lookup(cacheKey: string, on: Pool | PoolClient = this.#pool, stale = false): Promise<unknown> {
    const { rows } = await on.query<{ text: string }>(
      stale
        ? "select value #>> '{}' as text from upstream_cache where cache_key = $1"
        : "select value #>> '{}' as text from upstream_cache where cache_key = $1 and expires_at > clock_timestamp()",
      [cacheKey],
    );
    const text = rows[0]?.text;
    return text === undefined ? undefined : (JSON.parse(text) as unknown);
  }

  async #loadAndStore<T>(
    cacheKey: string,
    load: () => Promise<T>,
    ttlFor: (value: T) => number,
    on: Pool | PoolClient = this.#pool,
  ): Promise<T> {
    const value = await load();
    const ttl = ttlFor(value);
    if (ttl > 0) {
      const text = JSON.stringify(value);
      const store = `
        insert into upstream_cache (cache_key, value, expires_at)
        values ($1, to_jsonb($2::text), clock_timestamp() + $3::float8 * interval '1 millisecond')
        on conflict (cache_key) do update set value = excluded.value, expires_at = excluded.expires_at`;
      try {
        await on.query(store, [cacheKey, text, ttl]);
      } catch (error) {
        // The read itself succeeded; only sharing it failed.
        logger().warn({ event: "read_cache.store_failed", err: error }, "Shared read cache: could not store a read");
      }
      void this.#prune();
    }
    return value;
  }

  /** Entries of every workspace expired for over an hour, now and then (any instance may do it). */
  async #prune() {
    const now = Date.now();
    if (now - this.#lastPruneAt < PRUNE_EVERY_MS) return;
    this.#lastPruneAt = now;
    await this.#pool
      .query("delete from upstream_cache where expires_at < clock_timestamp() - $1::float8 * interval '1 millisecond'", [KEEP_STALE_MS])
      .catch(() => {});
  }
}

/** The node-postgres pool behind a drizzle database (drizzle exposes it as `$client`). */
function poolOf(db: Database): Pool {
  const client = (db as unknown as { $client?: Partial<Pool> }).$client;
  if (!client || typeof client.connect !== "function" || typeof client.query !== "function" || !("totalCount" in client)) {
    throw new Error("SharedReadCache needs a PostgreSQL database opened with node-postgres.");
  }
  return client as Pool;
}
