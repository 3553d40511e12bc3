import "server-only";

import { and, eq } from "drizzle-orm";

import type { Database } from "../db";
import { mirrorSyncs, trackedBatches } from "../db/schema";
import { isFinished, type BatchSummary } from "../trillet/schemas";
import { DEFAULT_BATCH_LIST_VIEW, type BatchListSort, type BatchListView } from "./batch-list-view";

// The team's batches page: one row per tracked batch, with the freshest counts Batchboard holds.

export * from "./batch-list-view";

export type BatchListStatus = "running" | "finished" | "unknown";

export interface BatchListItem {
  batchId: string;
  /** "" when nobody named it. */
  label: string;
  addedAt: number;
  /** null until Trillet has answered for it (never shown as zeros). */
  summary: BatchSummary | null;
  /** When `summary` was read from Trillet (epoch ms). */
  refreshedAt: number | null;
  status: BatchListStatus;
  /** completed / (completed + failed); null until a call has finished. */
  successRate: number | null;
}

export async function listBatches(
  db: Database,
  workspaceId: string,
  view: BatchListView = DEFAULT_BATCH_LIST_VIEW,
): Promise<BatchListItem[]> {
  const rows = await db
    .select({
      batchId: trackedBatches.batchId,
      label: trackedBatches.label,
      addedAt: trackedBatches.addedAt,
      lastSummary: trackedBatches.lastSummary,
      summaryReadAt: trackedBatches.summaryReadAt,
      finishedAt: trackedBatches.finishedAt,
      frozen: mirrorSyncs.frozen,
      mirrorSummary: mirrorSyncs.upstreamSummary,
      mirrorReadAt: mirrorSyncs.lastSuccessAt,
    })
    .from(trackedBatches)
    .leftJoin(mirrorSyncs, and(eq(mirrorSyncs.workspaceId, trackedBatches.workspaceId), eq(mirrorSyncs.batchId, trackedBatches.batchId)))
    .where(eq(trackedBatches.workspaceId, workspaceId));
  return sortBatchList(rows.map(toItem), view);
}

type Row = {
  batchId: string;
  label: string;
  addedAt: Date;
  lastSummary: BatchSummary | null;
  summaryReadAt: Date | null;
  finishedAt: Date | null;
  frozen: boolean | null;
  mirrorSummary: BatchSummary | null;
  mirrorReadAt: Date | null;
};

function toItem(row: Row): BatchListItem {
  // A batch served from its frozen copy is never read from Trillet again, so the tracked row keeps
  // whatever it saw last (perhaps mid-run): the final pass's counts are the newer truth.
  const useMirror =
    row.frozen === true &&
    row.mirrorSummary !== null &&
    row.mirrorReadAt !== null &&
    (row.summaryReadAt === null || row.mirrorReadAt > row.summaryReadAt);
  const summary = pickSummary(useMirror ? row.mirrorSummary : row.lastSummary);
  const refreshedAt = (useMirror ? row.mirrorReadAt : row.summaryReadAt)?.getTime() ?? null;
  const finished = row.frozen === true || row.finishedAt !== null || (summary !== null && isFinished(summary));
  return {
    batchId: row.batchId,
    label: row.label,
    addedAt: row.addedAt.getTime(),
    summary,
    refreshedAt,
    status: summary === null && !finished ? "unknown" : finished ? "finished" : "running",
    successRate: summary ? successRate(summary) : null,
  };
}

function pickSummary(s: BatchSummary | null): BatchSummary | null {
  return s ? { total: s.total, waiting: s.waiting, active: s.active, completed: s.completed, failed: s.failed } : null;
}

function successRate(s: BatchSummary): number | null {
  const done = s.completed + s.failed;
  return done > 0 ? s.completed / done : null;
}

const collator = new Intl.Collator("en", { sensitivity: "base", numeric: true });

const KEYS: Record<BatchListSort, (item: BatchListItem) => string | number | null> = {
  label: (i) => i.label.trim() || null,
  added: (i) => i.addedAt,
  total: (i) => i.summary?.total ?? null,
  success: (i) => i.successRate,
  refreshed: (i) => i.refreshedAt,
};

/** Unknown values (no label, never read, nothing finished yet) go last in both directions. */
export function sortBatchList(items: BatchListItem[], view: BatchListView): BatchListItem[] {
  const key = KEYS[view.sort];
  const sign = view.dir === "asc" ? 1 : -1;
  return [...items].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka !== kb) {
      if (ka === null) return 1;
      if (kb === null) return -1;
      const order = typeof ka === "string" && typeof kb === "string" ? collator.compare(ka, kb) : Number(ka) - Number(kb);
      if (order !== 0) return sign * order;
    }
    // Stable tie-break: newest first, then by id.
    return b.addedAt - a.addedAt || collator.compare(a.batchId, b.batchId);
  });
}
