import "server-only";

import type { Database } from "../db";
import { callsOverTime, durationHistogram, type HistogramBin, type TimeBucket } from "../mirror/queries";
import { getMirrorStatus, type MirrorStatus } from "../mirror/status";

/** The copy's progress as the charts show it while they wait (see components/batches/copy-progress-text.ts). */
export type InsightsProgress = Pick<
  MirrorStatus,
  "frozen" | "pagesDone" | "totalPages" | "pass" | "passReason" | "inPass" | "passPages" | "queue"
>;

export type BatchInsights =
  | { available: false; reason: "not_mirrored"; pagesDone: number; totalPages: number; progress: InsightsProgress | null }
  | {
      available: true;
      readAt: number;
      /** The moment the copy describes (its last complete pass started then); null for copies older than that record. */
      copiedAt: number | null;
      frozen: boolean;
      durations: HistogramBin[];
      overTime: { unit: string; buckets: TimeBucket[] };
    };

/** The charts' data: from the mirror only (Trillet cannot aggregate), or why it is not there yet. */
export async function getBatchInsights(db: Database, workspaceId: string, batchId: string): Promise<BatchInsights> {
  const mirror = await getMirrorStatus(db, workspaceId, batchId);
  if (!mirror?.lastSuccessAt) {
    const progress: InsightsProgress | null = mirror && {
      frozen: mirror.frozen,
      pagesDone: mirror.pagesDone,
      totalPages: mirror.totalPages,
      pass: mirror.pass,
      passReason: mirror.passReason,
      inPass: mirror.inPass,
      passPages: mirror.passPages,
      queue: mirror.queue,
    };
    return { available: false, reason: "not_mirrored", pagesDone: mirror?.pagesDone ?? 0, totalPages: mirror?.totalPages ?? 0, progress };
  }
  const [durations, overTime] = await Promise.all([durationHistogram(db, workspaceId, batchId), callsOverTime(db, workspaceId, batchId)]);
  return { available: true, readAt: mirror.lastSuccessAt, copiedAt: mirror.copiedAt, frozen: mirror.frozen, durations, overTime };
}
