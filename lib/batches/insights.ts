import "server-only";
import type { Database } from "../db";
import { callsOverTime, durationHistogram, type HistogramBin, type TimeBucket } from "./mirror-queries";
import { getMirrorStatus } from "./mirror-status";

export type BatchInsights =
  | { available: false; reason: "not_mirrored"; pagesDone: number; totalPages: number }
  | { available: true; readAt: number; durations: HistogramBin[]; overTime: { unit: string; buckets: TimeBucket[] } };

/** The charts' data: from the mirror only (Trillet cannot aggregate), or why it is not there yet. */
export async function getBatchInsights(db: Database, workspaceId: string, batchId: string): Promise<BatchInsights> {
  const mirror = await getMirrorStatus(db, workspaceId, batchId);
  if (!mirror?.lastSuccessAt) {
    return { available: false, reason: "not_mirrored", pagesDone: mirror?.pagesDone ?? 0, totalPages: mirror?.totalPages ?? 0 };
  }
  const [durations, overTime] = await Promise.all([
    durationHistogram(db, workspaceId, batchId),
    callsOverTime(db, workspaceId, batchId),
  ]);
  return { available: true, readAt: mirror.lastSuccessAt, durations, overTime };
}
