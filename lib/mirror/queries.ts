import "server-only";

import { and, asc, count, desc, eq, gte, lt, sql, type SQL } from "drizzle-orm";

import type { Database } from "../db";
import { mirrorCalls, mirrorSyncs } from "../db/schema";
import type { TrilletCall } from "../trillet/schemas";

// What Trillet cannot answer (search, sort, failure grouping, distributions), answered from the
// mirror with zero upstream requests.

/** Failed calls without error text (absent or blank) group under one key. */
export const NO_REASON = "(no reason given)";
// Inlined (a constant): GROUP BY must see the very same expression, which two parameters are not.
const reasonGroup = sql<string>`coalesce(${mirrorCalls.reasonKey}, ${sql.raw(`'${NO_REASON}'`)})`;

export const CALL_SORTS = ["row", "start", "end", "duration", "status", "phone"] as const;
export type CallSort = (typeof CALL_SORTS)[number];

export interface CallQuery {
  status: "all" | "waiting" | "active" | "completed" | "failed";
  /** A reason key (see reasons.ts). */
  reason?: string | null;
  /** Substring of the phone number, any metadata value or the error text; case-insensitive. */
  q?: string | null;
  sort: CallSort;
  dir: "asc" | "desc";
  page: number;
  limit: number;
}

const SORT_COLUMNS = {
  row: mirrorCalls.rowNo,
  start: mirrorCalls.startTime,
  end: mirrorCalls.endTime,
  duration: mirrorCalls.durationS,
  status: mirrorCalls.status,
  phone: mirrorCalls.phoneNumber,
} as const;

function filters(workspaceId: string, batchId: string, query: Pick<CallQuery, "status" | "reason" | "q">): SQL {
  const parts: SQL[] = [eq(mirrorCalls.workspaceId, workspaceId), eq(mirrorCalls.batchId, batchId)];
  if (query.status !== "all") parts.push(eq(mirrorCalls.status, query.status));
  if (query.reason === NO_REASON) parts.push(sql`(${mirrorCalls.reasonKey} is null or ${mirrorCalls.reasonKey} = ${NO_REASON})`);
  else if (query.reason) parts.push(eq(mirrorCalls.reasonKey, query.reason));
  const q = query.q?.trim().toLowerCase();
  if (q) parts.push(sql`${mirrorCalls.searchText} like ${`%${q.replace(/[\\%_]/g, "\\$&")}%`}`);
  return and(...parts)!;
}

export const toCall = (
  row: Pick<
    typeof mirrorCalls.$inferSelect,
    "jobId" | "status" | "phoneNumber" | "startTime" | "endTime" | "durationS" | "error" | "metadata"
  >,
): TrilletCall => ({
  jobId: row.jobId,
  status: row.status,
  phoneNumber: row.phoneNumber,
  startTime: row.startTime?.getTime() ?? null,
  endTime: row.endTime?.getTime() ?? null,
  durationSec: row.durationS,
  error: row.error,
  metadata: row.metadata,
});

/**
 * A batch's calls whose row number is in [fromRowNo, toRowNo), in row order, for exports. Ranges
 * of row numbers rather than "the next N after X": ranges do not depend on each other, so an
 * export reads several at once, and calls that share a row number (a call first seen where
 * another had been) can never fall between two chunks. The database hands the chunk over as one
 * JSON text: per-row, per-field result decoding costs more than the query itself (measured on
 * PGlite: 100,000 rows in 2.1 s as rows, 0.7 s as JSON chunks, JSON.parse included).
 */
export async function mirrorCallsInRange(
  db: Database,
  workspaceId: string,
  batchId: string,
  query: Pick<CallQuery, "status" | "reason" | "q">,
  fromRowNo: number,
  toRowNo: number,
): Promise<TrilletCall[]> {
  // Only what a call needs (not the search text). Times as epoch milliseconds (the columns keep
  // milliseconds), so the session's time zone cannot change them.
  const chunk = db
    .select({
      rowNo: mirrorCalls.rowNo,
      jobId: mirrorCalls.jobId,
      status: mirrorCalls.status,
      phoneNumber: mirrorCalls.phoneNumber,
      startMs: sql`(extract(epoch from ${mirrorCalls.startTime}) * 1000)::int8`.as("start_ms"),
      endMs: sql`(extract(epoch from ${mirrorCalls.endTime}) * 1000)::int8`.as("end_ms"),
      durationS: mirrorCalls.durationS,
      error: mirrorCalls.error,
      metadata: mirrorCalls.metadata,
    })
    .from(mirrorCalls)
    .where(and(filters(workspaceId, batchId, query), gte(mirrorCalls.rowNo, fromRowNo), lt(mirrorCalls.rowNo, toRowNo)))
    .as("chunk");
  // Both drivers (node-postgres and PGlite) answer raw SQL with `{ rows }`.
  const result = (await db.execute(sql`
    select json_agg(json_build_array(${chunk.jobId}, ${chunk.status}, ${chunk.phoneNumber}, ${chunk.startMs}, ${chunk.endMs},
        ${chunk.durationS}, ${chunk.error}, ${chunk.metadata}) order by ${chunk.rowNo}, ${chunk.jobId})::text as calls
    from ${chunk}`)) as unknown as { rows: { calls: string | null }[] };
  const text = result.rows[0]?.calls;
  if (!text) return [];
  type Row = [string, string, string, number | null, number | null, number | null, string | null, Record<string, string>];
  return (JSON.parse(text) as Row[]).map(([jobId, status, phoneNumber, startTime, endTime, durationSec, error, metadata]): TrilletCall => ({
    jobId,
    status,
    phoneNumber,
    startTime,
    endTime,
    durationSec,
    error,
    metadata,
  }));
}

/** The distinct row numbers of the calls matching a filter, ascending: a searched export's ranges. */
export async function matchingRowNos(
  db: Database,
  workspaceId: string,
  batchId: string,
  query: Pick<CallQuery, "status" | "reason" | "q">,
): Promise<number[]> {
  const rows = await db
    .selectDistinct({ rowNo: mirrorCalls.rowNo })
    .from(mirrorCalls)
    .where(filters(workspaceId, batchId, query))
    .orderBy(asc(mirrorCalls.rowNo));
  return rows.map((r) => r.rowNo);
}

/** The highest row number of a batch's mirrored calls (null: none), the end of an export's ranges. */
export async function lastMirrorRowNo(db: Database, workspaceId: string, batchId: string): Promise<number | null> {
  const [row] = await db
    .select({ last: sql<number | null>`max(${mirrorCalls.rowNo})` })
    .from(mirrorCalls)
    .where(filters(workspaceId, batchId, { status: "all" }));
  return row?.last ?? null;
}

/** Calls matching an export's filter. */
export async function countMirrorCalls(
  db: Database,
  workspaceId: string,
  batchId: string,
  query: Pick<CallQuery, "status" | "reason" | "q">,
) {
  const [row] = await db
    .select({ n: count() })
    .from(mirrorCalls)
    .where(filters(workspaceId, batchId, query));
  return row?.n ?? 0;
}

/**
 * Every metadata key of a batch in first-seen order: as the sync recorded them (each call's own
 * key order), or, for a batch mirrored before it did, from one query. jsonb does not keep a row's
 * key order (it stores shorter keys first, then bytewise), so there keys first seen in the same
 * row come in that order.
 */
export async function mirrorMetadataKeys(db: Database, workspaceId: string, batchId: string): Promise<string[]> {
  const [sync] = await db
    .select({ keys: mirrorSyncs.metadataKeys })
    .from(mirrorSyncs)
    .where(and(eq(mirrorSyncs.workspaceId, workspaceId), eq(mirrorSyncs.batchId, batchId)));
  return sync?.keys ?? (await scannedMetadataKeys(db, workspaceId, batchId));
}

async function scannedMetadataKeys(db: Database, workspaceId: string, batchId: string): Promise<string[]> {
  const key = sql<string>`k.key`;
  const rows = await db
    .select({ key })
    .from(sql`${mirrorCalls} cross join lateral jsonb_object_keys(${mirrorCalls.metadata}) as k(key)`)
    .where(filters(workspaceId, batchId, { status: "all" }))
    .groupBy(key)
    .orderBy(sql`min(${mirrorCalls.rowNo})`, sql`octet_length(k.key)`, sql`k.key collate "C"`);
  return rows.map((r) => r.key);
}

/** A page of calls and the number matching. `knownTotal` skips the count when the caller knows it. */
export async function queryMirrorCalls(db: Database, workspaceId: string, batchId: string, query: CallQuery, knownTotal?: number) {
  const where = filters(workspaceId, batchId, query);
  const column = SORT_COLUMNS[query.sort];
  // Ties follow the sort's direction so each order matches one index (see schema.ts).
  const order =
    query.dir === "desc"
      ? [sql`${column} desc nulls last`, sql`${mirrorCalls.rowNo} desc nulls last`]
      : [sql`${column} asc nulls last`, asc(mirrorCalls.rowNo)];
  const [rows, total] = await Promise.all([
    db
      .select()
      .from(mirrorCalls)
      .where(where)
      .orderBy(...order)
      .limit(query.limit)
      .offset((query.page - 1) * query.limit),
    knownTotal ??
      db
        .select({ n: count() })
        .from(mirrorCalls)
        .where(where)
        .then(([row]) => row?.n ?? 0),
  ]);
  return { calls: rows.map(toCall), total };
}

export interface ReasonGroup {
  key: string;
  /** The most common original wording of this reason. */
  label: string;
  count: number;
}

export async function failureReasons(db: Database, workspaceId: string, batchId: string): Promise<ReasonGroup[]> {
  const rows = await db
    .select({
      key: reasonGroup,
      label: sql<string | null>`mode() within group (order by ${mirrorCalls.error})`,
      count: count(),
    })
    .from(mirrorCalls)
    .where(filters(workspaceId, batchId, { status: "failed" }))
    .groupBy(reasonGroup)
    .orderBy(desc(count()), asc(reasonGroup));
  return rows.map((r) => ({ key: r.key, label: r.label?.trim() || NO_REASON, count: r.count }));
}

export interface HistogramBin {
  fromS: number;
  toS: number;
  count: number;
}

/** Durations of completed calls in `bins` equal-width bins. */
export async function durationHistogram(db: Database, workspaceId: string, batchId: string, bins = 12): Promise<HistogramBin[]> {
  const where = and(filters(workspaceId, batchId, { status: "completed" }), sql`${mirrorCalls.durationS} is not null`);
  const [range] = await db
    .select({ min: sql<number | null>`min(${mirrorCalls.durationS})`, max: sql<number | null>`max(${mirrorCalls.durationS})` })
    .from(mirrorCalls)
    .where(where);
  if (range?.min === null || range?.max === null || range === undefined) return [];
  const min = Math.floor(Number(range.min));
  const width = Math.max(1, Math.ceil((Number(range.max) - min + 1) / bins));
  const rows = await db
    .select({ bin: sql<number>`floor((${mirrorCalls.durationS} - ${min}) / ${width})::int`, n: count() })
    .from(mirrorCalls)
    .where(where)
    .groupBy(sql`1`);
  const counts = new Map(rows.map((r) => [Number(r.bin), r.n]));
  return Array.from({ length: bins }, (_, i) => ({ fromS: min + i * width, toS: min + (i + 1) * width, count: counts.get(i) ?? 0 }));
}

export interface TimeBucket {
  at: number;
  completed: number;
  failed: number;
}

/** Finished calls per time bucket (by end time); the bucket grows with the batch's span. */
export async function callsOverTime(db: Database, workspaceId: string, batchId: string): Promise<{ unit: string; buckets: TimeBucket[] }> {
  const where = and(filters(workspaceId, batchId, { status: "all" }), sql`${mirrorCalls.endTime} is not null`);
  const [span] = await db
    .select({ min: sql<Date | null>`min(${mirrorCalls.endTime})`, max: sql<Date | null>`max(${mirrorCalls.endTime})` })
    .from(mirrorCalls)
    .where(where);
  if (!span?.min || !span.max) return { unit: "minute", buckets: [] };
  const hours = (new Date(span.max).getTime() - new Date(span.min).getTime()) / 3_600_000;
  const unit = hours <= 6 ? "minute" : hours <= 24 * 7 ? "hour" : "day";
  // The unit is one of three literals above, so it is inlined (a bound parameter cannot group).
  const bucket = sql`date_trunc('${sql.raw(unit)}', ${mirrorCalls.endTime})`;
  const rows = await db
    .select({
      at: sql<Date>`${bucket}`,
      completed: sql<number>`count(*) filter (where ${mirrorCalls.status} = 'completed')::int`,
      failed: sql<number>`count(*) filter (where ${mirrorCalls.status} = 'failed')::int`,
    })
    .from(mirrorCalls)
    .where(where)
    .groupBy(bucket)
    .orderBy(bucket);
  return { unit, buckets: rows.map((r) => ({ at: new Date(r.at).getTime(), completed: Number(r.completed), failed: Number(r.failed) })) };
}
