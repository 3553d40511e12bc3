import "server-only";

import { and, count, eq, sql } from "drizzle-orm";

import { reasonKey } from "../batches/reasons";
import type { Database } from "../db";
import { mirrorCalls } from "../db/schema";
import type { BatchSummary, TrilletCall } from "../trillet/schemas";

// Writing and counting mirrored calls. Upserts are keyed by (workspace, batch, job), so reading a
// page twice (a resumed sync, a re-walk after page boundaries moved) can never duplicate a call.

const at = (ms: number | null) => (ms === null ? null : new Date(ms));

/** Lower-cased phone, metadata values and error: what a view's `q` searches (mirror and walked rows alike). */
export function searchText(call: TrilletCall): string {
  return [call.phoneNumber, ...Object.values(call.metadata), call.error ?? ""].join("\n").toLowerCase();
}

/** `seenPass`: the sync pass reading these calls (see mirror_calls.seen_pass); other writers omit it. */
export async function upsertCalls(
  db: Database,
  workspaceId: string,
  batchId: string,
  calls: TrilletCall[],
  firstRowNo: number,
  seenPass?: number,
) {
  if (calls.length === 0) return;
  await db
    .insert(mirrorCalls)
    .values(
      calls.map((call, i) => ({
        workspaceId,
        batchId,
        jobId: call.jobId,
        rowNo: firstRowNo + i,
        status: call.status,
        phoneNumber: call.phoneNumber,
        startTime: at(call.startTime),
        endTime: at(call.endTime),
        durationS: call.durationSec,
        error: call.error,
        reasonKey: reasonKey(call.error),
        metadata: call.metadata,
        searchText: searchText(call),
        seenPass: seenPass ?? null,
      })),
    )
    .onConflictDoUpdate({
      target: [mirrorCalls.workspaceId, mirrorCalls.batchId, mirrorCalls.jobId],
      // row_no keeps the position the call was first seen at.
      set: {
        status: sql`excluded.status`,
        phoneNumber: sql`excluded.phone_number`,
        startTime: sql`excluded.start_time`,
        endTime: sql`excluded.end_time`,
        durationS: sql`excluded.duration_s`,
        error: sql`excluded.error`,
        reasonKey: sql`excluded.reason_key`,
        metadata: sql`excluded.metadata`,
        searchText: sql`excluded.search_text`,
        seenPass: sql`coalesce(excluded.seen_pass, ${mirrorCalls.seenPass})`,
      },
    });
}

const batchRows = (workspaceId: string, batchId: string) => and(eq(mirrorCalls.workspaceId, workspaceId), eq(mirrorCalls.batchId, batchId));

/** Calls per status in the mirror, in the shape of Trillet's summary (other statuses count in total only). */
export async function mirrorSummary(db: Database, workspaceId: string, batchId: string): Promise<BatchSummary> {
  const rows = await db
    .select({ status: mirrorCalls.status, n: count() })
    .from(mirrorCalls)
    .where(batchRows(workspaceId, batchId))
    .groupBy(mirrorCalls.status);
  const summary: BatchSummary = { total: 0, waiting: 0, active: 0, completed: 0, failed: 0 };
  for (const { status, n } of rows) {
    summary.total += n;
    if (status === "waiting" || status === "active" || status === "completed" || status === "failed") summary[status] += n;
  }
  return summary;
}

export async function mirrorJobIds(db: Database, workspaceId: string, batchId: string): Promise<Set<string>> {
  const rows = await db.select({ jobId: mirrorCalls.jobId }).from(mirrorCalls).where(batchRows(workspaceId, batchId));
  return new Set(rows.map((r) => r.jobId));
}

/** Calls of the batch that the given sync pass read (each job once: rows are keyed by job). */
export async function countSeenInPass(db: Database, workspaceId: string, batchId: string, pass: number): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(mirrorCalls)
    .where(and(batchRows(workspaceId, batchId), eq(mirrorCalls.seenPass, pass)));
  return row?.n ?? 0;
}
