import "server-only";
import { and, asc, count, eq, isNull, or, type SQL } from "drizzle-orm";
import type { Database } from "../db";
import { mirrorCalls } from "../db/schema";
import type { TrilletCall } from "../trillet/schemas";
import { queryMirrorCalls } from "./mirror-queries";

// Single calls and failed calls by reason, read from the mirror only (zero upstream requests).

/** The key failureReasons gives failed calls that came without any error text. */
export const NO_REASON_KEY = "(no reason given)";

const callFields = {
  jobId: mirrorCalls.jobId,
  status: mirrorCalls.status,
  phoneNumber: mirrorCalls.phoneNumber,
  startTime: mirrorCalls.startTime,
  endTime: mirrorCalls.endTime,
  durationS: mirrorCalls.durationS,
  error: mirrorCalls.error,
  metadata: mirrorCalls.metadata,
};

function toCall(row: {
  jobId: string;
  status: string;
  phoneNumber: string;
  startTime: Date | null;
  endTime: Date | null;
  durationS: number | null;
  error: string | null;
  metadata: Record<string, string>;
}): TrilletCall {
  return {
    jobId: row.jobId,
    status: row.status,
    phoneNumber: row.phoneNumber,
    startTime: row.startTime?.getTime() ?? null,
    endTime: row.endTime?.getTime() ?? null,
    durationSec: row.durationS,
    error: row.error,
    metadata: row.metadata,
  };
}

/** One call of a mirrored batch, or null when the copy does not hold it (yet). */
export async function getMirroredCall(db: Database, workspaceId: string, batchId: string, jobId: string): Promise<TrilletCall | null> {
  const [row] = await db
    .select(callFields)
    .from(mirrorCalls)
    .where(and(eq(mirrorCalls.workspaceId, workspaceId), eq(mirrorCalls.batchId, batchId), eq(mirrorCalls.jobId, jobId)));
  return row ? toCall(row) : null;
}

export interface FailedCallsPage {
  calls: TrilletCall[];
  total: number;
}

/**
 * One page of the failed calls grouped under a reason key, in Trillet's order. Calls without an
 * error have no stored key but are grouped as NO_REASON_KEY, which an equality filter would miss.
 */
export async function failedCallsByReason(
  db: Database,
  workspaceId: string,
  batchId: string,
  reason: string,
  page: number,
  limit: number,
): Promise<FailedCallsPage> {
  if (reason !== NO_REASON_KEY) {
    const result = await queryMirrorCalls(db, workspaceId, batchId, { status: "failed", reason, sort: "row", dir: "asc", page, limit });
    return { calls: result.calls, total: result.total };
  }
  const where: SQL = and(
    eq(mirrorCalls.workspaceId, workspaceId),
    eq(mirrorCalls.batchId, batchId),
    eq(mirrorCalls.status, "failed"),
    or(isNull(mirrorCalls.reasonKey), eq(mirrorCalls.reasonKey, NO_REASON_KEY)),
  )!;
  const [rows, [total]] = await Promise.all([
    db
      .select(callFields)
      .from(mirrorCalls)
      .where(where)
      .orderBy(asc(mirrorCalls.rowNo))
      .limit(limit)
      .offset((page - 1) * limit),
    db.select({ n: count() }).from(mirrorCalls).where(where),
  ]);
  return { calls: rows.map(toCall), total: total?.n ?? 0 };
}
