import "server-only";

import { failedCallsByReason, NO_REASON_KEY } from "@/lib/batches/call-detail";
import type { DrilldownView } from "@/lib/batches/drilldown-view";
import { ensureTracked, FIRST_OPEN_READ } from "@/lib/batches/first-open";
import { reasonKey } from "@/lib/batches/reasons";
import type { Database } from "@/lib/db";
import { failureReasons, type ReasonGroup } from "@/lib/mirror/queries";
import { getMirrorStatus, type MirrorStatus } from "@/lib/mirror/status";
import { mirrorSummary } from "@/lib/mirror/store";
import { requestSync } from "@/lib/mirror/sync";
import { isTrilletError, retryAtOf, type TrilletErrorKind } from "@/lib/trillet/errors";
import type { Staleness, ViewRead } from "@/lib/trillet/gateway";
import { MAX_PAGE_SIZE, type BatchSummary, type CallsPage, type TrilletCall } from "@/lib/trillet/schemas";
import type { Workspace } from "@/lib/workspaces";

// The failure drilldown's data (its URL state is declared in lib/batches/drilldown-view.ts). Grouping needs every failed call, so it is answered
// from the mirror; until the batch is copied the page lists Trillet's own pages of failed calls
// (status=failed) and says that grouping comes with the copy, rather than showing a partial count.

export const FAILED_PAGE_SIZE = 20;

export interface ReasonShare extends ReasonGroup {
  /** Of the failed calls, 0..1. */
  share: number;
}

export interface SelectedReason {
  reason: ReasonShare;
  calls: TrilletCall[];
  total: number;
  page: number;
  totalPages: number;
}

/** Trillet's own page of failed calls, shown while the copy is not ready. */
export interface UpstreamFailures {
  calls: TrilletCall[];
  page: number;
  pageSize: number;
  /** The batch's failed calls as Trillet counted them at readAt. */
  total: number;
  summary: BatchSummary;
  readAt: number;
  /** Set when this is an older read shown because Trillet was slow or refused, and why. */
  stale: Staleness | null;
  /** Reasons counted over this page's calls only, most frequent first. */
  reasons: { key: string; label: string; count: number }[];
}

export type UpstreamRead = { ok: true; failures: UpstreamFailures } | { ok: false; kind: TrilletErrorKind; retryAt?: number };

export type FailureDrilldown =
  | { state: "copying"; mirror: MirrorStatus | null; upstream: UpstreamRead }
  | {
      state: "ready";
      mirror: MirrorStatus;
      /** When the copy these numbers come from was read from Trillet (epoch ms). */
      copiedAt: number;
      summary: BatchSummary;
      /** Failed calls in the copy, counted by status. */
      failedTotal: number;
      /** The same calls counted reason by reason; equal to failedTotal unless a copy is being written. */
      reasonsTotal: number;
      reasons: ReasonShare[];
      selected: SelectedReason | null;
    };

/**
 * A drilldown link works the first time: a batch nobody opened is checked with Trillet once,
 * tracked and its copy started (Trillet's typed errors propagate; a 404 is "not found"). Until the
 * copy is ready the page shows Trillet's failed calls page by page; afterwards, reasons from the copy.
 */
export async function loadFailureDrilldown(
  db: Database,
  workspace: Workspace,
  batchId: string,
  view: DrilldownView,
  userId: string | null,
): Promise<FailureDrilldown> {
  const mirror = await getMirrorStatus(db, workspace.id, batchId);
  if (mirror?.lastSuccessAt) return readyDrilldown(db, workspace.id, batchId, view, { ...mirror, lastSuccessAt: mirror.lastSuccessAt });

  const firstRead = await ensureTracked(db, workspace, batchId, userId);
  // Tracked but never copied (tracked before copying existed, or its copy was dropped): start it.
  if (!firstRead && !mirror) await requestSync(db, workspace.id, batchId);
  const upstream = await upstreamFailures(workspace, batchId, view.page, firstRead);
  return { state: "copying", mirror: mirror ?? (await getMirrorStatus(db, workspace.id, batchId)), upstream };
}

async function upstreamFailures(
  workspace: Workspace,
  batchId: string,
  page: number,
  firstRead: ViewRead<CallsPage> | null,
): Promise<UpstreamRead> {
  let read: ViewRead<CallsPage>;
  if (firstRead && page === FIRST_OPEN_READ.page) read = firstRead;
  else {
    try {
      read = await workspace.gateway.listCalls(batchId, { page, limit: MAX_PAGE_SIZE, status: "failed" }, { priority: "interactive" });
    } catch (error) {
      // The batch is tracked and its copy under way: a failed read of this list is said beside it.
      if (!isTrilletError(error)) throw error;
      return { ok: false, kind: error.kind, retryAt: retryAtOf(error) };
    }
  }
  return {
    ok: true,
    failures: {
      calls: read.calls,
      page,
      pageSize: MAX_PAGE_SIZE,
      total: read.pagination.total,
      summary: read.summary,
      readAt: read.receivedAt,
      // An older read shown because Trillet was slow or refused: the page says why.
      stale: read.stale ?? null,
      reasons: countReasons(read.calls),
    },
  };
}

/** Reasons over the calls of one page, grouped as the copy groups them (reasons.ts). */
function countReasons(calls: TrilletCall[]): UpstreamFailures["reasons"] {
  const byKey = new Map<string, { key: string; label: string; count: number }>();
  for (const call of calls) {
    const key = reasonKey(call.error) ?? NO_REASON_KEY;
    const seen = byKey.get(key);
    if (seen) seen.count++;
    else byKey.set(key, { key, label: key === NO_REASON_KEY ? "No reason given" : (call.error ?? "").trim(), count: 1 });
  }
  return [...byKey.values()].sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
}

async function readyDrilldown(
  db: Database,
  workspaceId: string,
  batchId: string,
  view: DrilldownView,
  mirror: MirrorStatus & { lastSuccessAt: number },
): Promise<FailureDrilldown> {
  const [groups, summary] = await Promise.all([failureReasons(db, workspaceId, batchId), mirrorSummary(db, workspaceId, batchId)]);
  const merged = mergeGroups(groups);
  const reasonsTotal = merged.reduce((sum, r) => sum + r.count, 0);
  const denominator = summary.failed || reasonsTotal;
  const reasons = merged.map((r) => ({ ...r, share: denominator > 0 ? r.count / denominator : 0 }));

  const reason = reasons.find((r) => r.key === view.reason) ?? null;
  let selected: SelectedReason | null = null;
  if (reason) {
    const page = await failedCallsByReason(db, workspaceId, batchId, reason.key, view.page, FAILED_PAGE_SIZE);
    selected = { reason, calls: page.calls, total: page.total, page: view.page, totalPages: Math.ceil(page.total / FAILED_PAGE_SIZE) };
  }
  return {
    state: "ready",
    mirror,
    copiedAt: mirror.copiedAt ?? mirror.lastSuccessAt,
    summary,
    failedTotal: summary.failed,
    reasonsTotal,
    reasons,
    selected,
  };
}

/**
 * Calls with no error and calls whose error is only blanks both group as NO_REASON_KEY, but come
 * back as two groups; one row per key keeps links and counts unambiguous.
 */
function mergeGroups(groups: ReasonGroup[]): ReasonGroup[] {
  const byKey = new Map<string, ReasonGroup>();
  for (const g of groups) {
    const seen = byKey.get(g.key);
    if (seen) seen.count += g.count;
    else byKey.set(g.key, { ...g, label: g.key === NO_REASON_KEY ? "No reason given" : g.label });
  }
  return [...byKey.values()].sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
}
