import "server-only";
import { and, eq } from "drizzle-orm";
import type { Database } from "../db";
import { mirrorSyncs } from "../db/schema";
import type { BatchSummary } from "../trillet/schemas";

/** How fresh a batch's mirror is, for views to say so. Never the whole job row. */
export interface MirrorStatus {
  state: "pending" | "running" | "done" | "failed";
  frozen: boolean;
  pagesDone: number;
  totalPages: number;
  lastSuccessAt: number | null;
  error: string | null;
  mismatch: Record<string, unknown> | null;
  /** Trillet's counts at the last complete pass; for a frozen batch, checked equal to the mirror. */
  upstreamSummary: BatchSummary | null;
}

export async function getMirrorStatus(db: Database, workspaceId: string, batchId: string): Promise<MirrorStatus | null> {
  const [row] = await db
    .select({
      state: mirrorSyncs.state,
      frozen: mirrorSyncs.frozen,
      pagesDone: mirrorSyncs.pagesDone,
      totalPages: mirrorSyncs.totalPages,
      lastSuccessAt: mirrorSyncs.lastSuccessAt,
      error: mirrorSyncs.error,
      mismatch: mirrorSyncs.mismatch,
      upstreamSummary: mirrorSyncs.upstreamSummary,
    })
    .from(mirrorSyncs)
    .where(and(eq(mirrorSyncs.workspaceId, workspaceId), eq(mirrorSyncs.batchId, batchId)));
  return row ? { ...row, lastSuccessAt: row.lastSuccessAt?.getTime() ?? null } : null;
}
