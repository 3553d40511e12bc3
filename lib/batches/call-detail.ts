import "server-only";

import { and, eq } from "drizzle-orm";

import type { Database } from "../db";
import { mirrorCalls } from "../db/schema";
import { NO_REASON, queryMirrorCalls, toCall } from "../mirror/queries";
import type { TrilletCall } from "../trillet/schemas";

// Single calls and failed calls by reason, read from the mirror only (zero upstream requests).

/** The key failureReasons gives failed calls that came without any error text. */
export const NO_REASON_KEY = NO_REASON;

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

/** One page of the failed calls grouped under a reason key, in Trillet's order. */
export async function failedCallsByReason(
  db: Database,
  workspaceId: string,
  batchId: string,
  reason: string,
  page: number,
  limit: number,
): Promise<FailedCallsPage> {
  const result = await queryMirrorCalls(db, workspaceId, batchId, { status: "failed", reason, sort: "row", dir: "asc", page, limit });
  return { calls: result.calls, total: result.total };
}
