import "server-only";

import { and, eq, sql } from "drizzle-orm";

import type { Database } from "../db";
import { mirrorSyncs, type PassReason } from "../db/schema";
import { env } from "../env";
import type { BatchSummary } from "../trillet/schemas";
import { BACKGROUND_SHARE, SLICE_PAGES } from "./pace";
import { DUE_ORDER } from "./sync";

/** How fresh a batch's mirror is, for views to say so. Never the whole job row. */
export interface MirrorStatus {
  state: "pending" | "running" | "done" | "failed";
  frozen: boolean;
  /** Pages read in the pass under way (or the last one); never goes back within a pass. */
  pagesDone: number;
  /** Trillet's pages of the batch at 100 a page (0 until the first read). */
  totalPages: number;
  lastSuccessAt: number | null;
  error: string | null;
  mismatch: Record<string, unknown> | null;
  /** Trillet's counts at the last complete pass; for a frozen batch, checked equal to the mirror. */
  upstreamSummary: BatchSummary | null;
  /** The pass under way or the last one (1 for the first copy); 0 before any. */
  pass: number;
  /** Why that pass started; null before any. */
  passReason: PassReason | null;
  /** True while a pass is under way (between slices too). */
  inPass: boolean;
  /** Pages that pass reads (a refresh reads only the pages that can still change); 0 until known. */
  passPages: number;
  /** The moment the copy describes: when its last complete pass started (epoch ms). */
  copiedAt: number | null;
  /** Waiting for its turn: batches ahead in the scheduler's order, and about how long until it starts. */
  queue: { ahead: number; etaMs: number } | null;
}

const DUE = sql`not frozen and (state in ('pending', 'done', 'failed') and next_sync_at <= now())`;

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
      pass: mirrorSyncs.pass,
      passReason: mirrorSyncs.passReason,
      inPass: mirrorSyncs.inPass,
      passPages: mirrorSyncs.passPages,
      copiedAt: mirrorSyncs.copiedAt,
      due: sql<boolean>`${DUE}`,
    })
    .from(mirrorSyncs)
    .where(and(eq(mirrorSyncs.workspaceId, workspaceId), eq(mirrorSyncs.batchId, batchId)));
  if (!row) return null;
  const { due, ...status } = row;
  return {
    ...status,
    lastSuccessAt: row.lastSuccessAt?.getTime() ?? null,
    copiedAt: row.copiedAt?.getTime() ?? null,
    queue: due ? await queuePosition(db, workspaceId, batchId) : null,
  };
}

/**
 * Due jobs of the workspace ahead of this one in the scheduler's order (DUE_ORDER), and an estimate
 * of the wait: the pages their next slices read, at the pace the background share of the
 * workspace's budget allows (other workspaces have budgets of their own).
 */
async function queuePosition(db: Database, workspaceId: string, batchId: string): Promise<{ ahead: number; etaMs: number }> {
  // Both drivers (node-postgres and PGlite) answer raw SQL with `{ rows }`.
  const result = (await db.execute(sql`
    select count(*)::int as ahead,
      coalesce(sum(least(greatest(case when in_pass then pass_pages - pages_done else total_pages end, 1), ${SLICE_PAGES})), 0)::int as pages
    from mirror_syncs
    where workspace_id = ${workspaceId} and ${DUE} and (${DUE_ORDER}) < (
      select ${DUE_ORDER} from mirror_syncs where workspace_id = ${workspaceId} and batch_id = ${batchId}
    )`)) as unknown as { rows: { ahead: number; pages: number }[] };
  const { ahead = 0, pages = 0 } = result.rows[0] ?? {};
  const pagesPerMinute = Math.max(1, env.TRILLET_RATE_LIMIT_PER_MINUTE * BACKGROUND_SHARE);
  return { ahead: Number(ahead), etaMs: Math.round((Number(pages) / pagesPerMinute) * 60_000) };
}
