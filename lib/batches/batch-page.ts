import "server-only";

import type { Database } from "../db";
import { queryMirrorCalls } from "../mirror/queries";
import { getMirrorStatus, type MirrorStatus } from "../mirror/status";
import { mirrorSummary } from "../mirror/store";
import { requestSync } from "../mirror/sync";
import { isTrilletError } from "../trillet/errors";
import { stalenessOf, type Staleness } from "../trillet/gateway";
import { isFinished, type BatchSummary, type TrilletCall } from "../trillet/schemas";
import type { Workspace } from "../workspaces";
import { needsMirror, sortOf, type BatchView } from "./search-params";
import { findTrackedBatch, recordBatchRead } from "./tracked";

export interface BatchPageData {
  /** Where these numbers come from: the mirror (zero upstream requests) or one Trillet read. */
  source: "mirror" | "upstream";
  /** Cards, tabs and rows all come from the same source and moment, so they always agree. */
  summary: BatchSummary;
  calls: TrilletCall[];
  pagination: { page: number; limit: number; total: number; totalPages: number };
  finished: boolean;
  /** When the numbers on screen were read from Trillet (epoch ms): the upstream answer, or the copy's last complete pass. */
  readAt: number;
  /**
   * Set when the numbers are older than the view asked for: Trillet was slow or refused, so this
   * is the view's last good read (or the copy), and why. Null: as fresh as Trillet allows.
   */
  stale: Staleness | null;
  /**
   * The newest counts read from Trillet for this batch when they are newer than the numbers on
   * screen (a search answered from an older copy of a running batch): the page says so and
   * offers the live view instead of mixing the two moments.
   */
  newerLive: { readAt: number; summary: BatchSummary } | null;
  mirror: MirrorStatus | null;
  /** The view asked for search, sort or a reason filter, which only the mirror can do, and it is not ready. */
  mirrorPending: boolean;
}

// One page view records its batch's counts and asks for a copy once per fresh upstream read, not
// once per viewer: 200 people on one wallboard share a read, and should share its writes too.
const recorded = new Map<string, number>();
const RECORDED_MAX = 10_000;

async function recordFreshRead(
  db: Database,
  workspaceId: string,
  batchId: string,
  summary: BatchSummary,
  readAt: number,
  userId: string | null,
  frozen: boolean,
) {
  const key = `${workspaceId}\n${batchId}`;
  if ((recorded.get(key) ?? 0) >= readAt) return;
  if (recorded.size >= RECORDED_MAX) recorded.clear();
  recorded.set(key, readAt);
  await recordBatchRead(db, workspaceId, batchId, summary, new Date(readAt), userId);
  if (!frozen) await requestSync(db, workspaceId, batchId);
}

/**
 * One page of a batch. A frozen batch (and any view that needs search, sort or a reason filter,
 * once a sync has completed) is served from the mirror; otherwise one page-view read through the
 * gateway, which also tracks the batch and asks for a copy. When that read is slow or refused,
 * the view's last good read (marked stale) or, failing that, the copy answers instead of an
 * error. An unknown batch adds nothing.
 */
export async function getBatchPage(
  db: Database,
  workspace: Workspace,
  batchId: string,
  view: BatchView,
  userId: string | null,
): Promise<BatchPageData> {
  const mirror = await getMirrorStatus(db, workspace.id, batchId);
  if (copied(mirror) && (mirror.frozen || needsMirror(view))) {
    const data = await fromMirror(db, workspace.id, batchId, view, mirror, null);
    // A running batch's search is answered from its copy; say when Trillet has told us more since.
    return mirror.frozen ? data : { ...data, newerLive: await newerLiveRead(db, workspace.id, batchId, data.readAt) };
  }
  let page;
  try {
    page = await workspace.gateway.listCalls(
      batchId,
      { page: view.page, limit: view.limit, status: view.status },
      { priority: "interactive" },
    );
  } catch (error) {
    // Nothing read of this view yet, but the copy holds the batch: show it, saying why and how old.
    if (copied(mirror) && isTrilletError(error) && error.kind !== "not_found" && error.kind !== "invalid_request") {
      return fromMirror(db, workspace.id, batchId, view, mirror, stalenessOf(error));
    }
    throw error;
  }
  if (!page.stale) await recordFreshRead(db, workspace.id, batchId, page.summary, page.receivedAt, userId, Boolean(mirror?.frozen));
  return {
    source: "upstream",
    summary: page.summary,
    calls: page.calls,
    pagination: page.pagination,
    finished: isFinished(page.summary),
    readAt: page.receivedAt,
    stale: page.stale ?? null,
    newerLive: null,
    mirror: mirror ?? (await getMirrorStatus(db, workspace.id, batchId)),
    mirrorPending: needsMirror(view),
  };
}

async function fromMirror(
  db: Database,
  workspaceId: string,
  batchId: string,
  view: BatchView,
  mirror: Copied,
  stale: Staleness | null,
): Promise<BatchPageData> {
  // A frozen batch's counts were checked equal to Trillet's at the final pass: no need to count
  // 100,000 rows again on every view. Only a search or reason filter needs its own count.
  const verified = mirror.frozen ? mirror.upstreamSummary : null;
  const summary = verified ?? (await mirrorSummary(db, workspaceId, batchId));
  const filtered = view.q !== "" || view.reason !== "";
  const knownTotal = verified && !filtered ? (view.status === "all" ? verified.total : verified[view.status]) : undefined;
  const page = await queryMirrorCalls(
    db,
    workspaceId,
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
    // The copy describes Trillet as of its last complete pass's start: the older, honest moment.
    readAt: mirror.copiedAt ?? mirror.lastSuccessAt,
    stale,
    newerLive: null,
    mirror,
    mirrorPending: false,
  };
}

async function newerLiveRead(db: Database, workspaceId: string, batchId: string, copyReadAt: number) {
  const tracked = await findTrackedBatch(db, workspaceId, batchId);
  const readAt = tracked?.summaryReadAt?.getTime() ?? 0;
  return tracked?.lastSummary && readAt > copyReadAt ? { readAt, summary: tracked.lastSummary } : null;
}

type Copied = MirrorStatus & { lastSuccessAt: number };
const copied = (mirror: MirrorStatus | null): mirror is Copied => mirror?.lastSuccessAt != null;
