import "server-only";

import { createHash, timingSafeEqual } from "node:crypto";

import { sql } from "drizzle-orm";

import { getDb } from "./db";
import { env } from "./env";
import { logger } from "./log";
import { metrics } from "./metrics";
import { PRIORITIES } from "./trillet/budget";
import { gatewayBudgets } from "./trillet/registry";

/** A bearer token checked in constant time (both sides hashed first, so lengths never leak). */
export function bearerMatches(header: string | null, expected: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  const digest = (v: string) => createHash("sha256").update(v, "utf8").digest();
  const ok = timingSafeEqual(digest(match?.[1] ?? ""), digest(expected));
  return ok && match !== null;
}

/** The /api/metrics answer: 404 while METRICS_TOKEN is unset, 401 without it, else the text format. */
export async function metricsResponse(request: Request): Promise<Response> {
  const headers = { "cache-control": "no-store" };
  const token = env.METRICS_TOKEN;
  if (!token) return new Response("Not found.\n", { status: 404, headers });
  if (!bearerMatches(request.headers.get("authorization"), token)) {
    return new Response("A metrics token is required (Authorization: Bearer <METRICS_TOKEN>).\n", {
      status: 401,
      headers: { ...headers, "www-authenticate": 'Bearer realm="metrics"' },
    });
  }
  await refreshGauges();
  const m = metrics();
  return new Response(await m.registry.metrics(), { headers: { ...headers, "content-type": m.registry.contentType } });
}

/** Point-in-time gauges, read when scraped: each workspace's budget, and the mirror's queue. */
async function refreshGauges(): Promise<void> {
  const m = metrics();
  m.budgetInUse.reset();
  m.budgetQueued.reset();
  m.budgetPaused.reset();
  m.budgetLimit.reset();
  for (const { workspace, limit, stats } of gatewayBudgets()) {
    m.budgetInUse.set({ workspace }, stats.inWindow);
    m.budgetLimit.set({ workspace }, limit);
    m.budgetPaused.set({ workspace }, stats.pausedUntil ? 1 : 0);
    for (const priority of PRIORITIES) m.budgetQueued.set({ workspace, priority }, stats.queued[priority]);
  }
  try {
    const db = await getDb();
    // Both drivers (node-postgres and PGlite) answer raw SQL with `{ rows }`.
    const lag = (await db.execute(sql`
      select coalesce(extract(epoch from max(now() - next_sync_at)), 0)::float8 as lag
      from mirror_syncs
      where not frozen and state in ('pending', 'done', 'failed') and next_sync_at <= now()`)) as unknown as { rows: { lag: number }[] };
    m.syncLag.set(Number(lag.rows[0]?.lag ?? 0));
    const states = (await db.execute(sql`
      select case when frozen then 'frozen' else state end as state, count(*)::int as n
      from mirror_syncs group by 1`)) as unknown as { rows: { state: string; n: number }[] };
    m.syncJobs.reset();
    for (const state of ["pending", "running", "done", "failed", "frozen"]) m.syncJobs.set({ state }, 0);
    for (const row of states.rows) m.syncJobs.set({ state: row.state }, Number(row.n));
  } catch (error) {
    // The scrape still answers with everything else; the database's own health is /api/ready's.
    logger().warn({ event: "metrics.db_failed", err: error }, "metrics: the mirror queue could not be read");
  }
}
