import "server-only";
import type { Database } from "../db";
import { isFinished, type BatchSummary, type TrilletCall } from "../trillet/schemas";
import type { Workspace } from "../workspaces";
import { queryMirrorCalls } from "./mirror-queries";
import { getMirrorStatus, type MirrorStatus } from "./mirror-status";
import { mirrorSummary } from "./mirror-store";
import { requestSync } from "./mirror-sync";
import { needsMirror, sortOf, type BatchView } from "./search-params";
import { recordBatchRead } from "./tracked";

export interface BatchPageData {
  /** Where these numbers come from: the mirror (zero upstream requests) or one Trillet read. */
  source: "mirror" | "upstream";
  /** Cards, tabs and rows all come from the same source and moment, so they always agree. */
  summary: BatchSummary;
  calls: TrilletCall[];
  pagination: { page: number; limit: number; total: number; totalPages: number };
  finished: boolean;
  /** When the numbers were read from Trillet (epoch ms): the upstream answer, or the last complete sync. */
  readAt: number;
  mirror: MirrorStatus | null;
  /** The view asked for search, sort or a reason, which only the mirror can do, and it is not ready. */
  mirrorPending: boolean;
}

/**
 * One page of a batch. A frozen batch (and any view that needs search, sort or a reason filter,
 * once a sync has completed) is served from the mirror; otherwise one upstream read through the
 * gateway, which also tracks the batch and asks for a sync. An unknown batch adds nothing.
 */
export async function getBatchPage(
  db: Database,
  workspace: Workspace,
  batchId: string,
  view: BatchView,
  userId: string | null,
): Promise<BatchPageData> {
  const mirror = await getMirrorStatus(db, workspace.id, batchId);
  if (mirror?.lastSuccessAt && (mirror.frozen || needsMirror(view))) {
    // A frozen batch's counts were checked equal to Trillet's at the final pass: no need to count
    // 100,000 rows again on every view. Only a search or reason filter needs its own count.
    const verified = mirror.frozen ? mirror.upstreamSummary : null;
    const summary = verified ?? (await mirrorSummary(db, workspace.id, batchId));
    const filtered = view.q !== "" || view.reason !== "";
    const knownTotal = verified && !filtered ? (view.status === "all" ? verified.total : verified[view.status]) : undefined;
    const page = await queryMirrorCalls(
      db,
      workspace.id,
      batchId,
      { ...view, ...sortOf(view), reason: view.reason || null, q: view.q || null },
      knownTotal,
    );
    return {
      source: "mirror",
      summary,
      calls: page.calls,
      pagination: { page: view.page, limit: view.limit, total: page.total, totalPages: Math.ceil(page.total / view.limit) },
      finished: mirror.frozen,
      readAt: mirror.lastSuccessAt,
      mirror,
      mirrorPending: false,
    };
  }
  const page = await workspace.gateway.listCalls(
    batchId,
    { page: view.page, limit: view.limit, status: view.status },
    { priority: "interactive" },
  );
  await recordBatchRead(db, workspace.id, batchId, page.summary, new Date(page.receivedAt), userId);
  if (!mirror?.frozen) await requestSync(db, workspace.id, batchId);
  return {
    source: "upstream",
    summary: page.summary,
    calls: page.calls,
    pagination: page.pagination,
    finished: isFinished(page.summary),
    readAt: page.receivedAt,
    mirror: mirror ?? (await getMirrorStatus(db, workspace.id, batchId)),
    mirrorPending: needsMirror(view),
  };
}
