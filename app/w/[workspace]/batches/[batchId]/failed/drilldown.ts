import "server-only";
import { z } from "zod";
import { failedCallsByReason, NO_REASON_KEY } from "@/lib/batches/call-detail";
import { failureReasons, type ReasonGroup } from "@/lib/batches/mirror-queries";
import { getMirrorStatus, type MirrorStatus } from "@/lib/batches/mirror-status";
import { mirrorSummary } from "@/lib/batches/mirror-store";
import { requestSync } from "@/lib/batches/mirror-sync";
import { findTrackedBatch } from "@/lib/batches/tracked";
import type { Database } from "@/lib/db";
import type { BatchSummary, TrilletCall } from "@/lib/trillet/schemas";

// The failure drilldown's URL state and data. Grouping needs every failed call, so it is answered
// from the mirror only; until the batch is copied the page says so rather than showing a partial count.

export const FAILED_PAGE_SIZE = 20;

const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);

const drilldownSchema = z.object({
  reason: z.preprocess(first, z.string().trim().max(300).catch("")).default(""),
  page: z.preprocess(first, z.coerce.number().int().min(1).max(1_000_000).catch(1)).default(1),
});

export interface DrilldownView {
  /** A reason key from the list; anything else selects nothing. */
  reason: string;
  page: number;
}

export function parseDrilldownView(params: Record<string, string | string[] | undefined>): DrilldownView {
  return drilldownSchema.parse(params);
}

export function drilldownQuery(view: Partial<DrilldownView>): string {
  const q = new URLSearchParams();
  if (view.reason) q.set("reason", view.reason);
  if (view.reason && view.page && view.page > 1) q.set("page", String(view.page));
  const s = q.toString();
  return s ? `?${s}` : "";
}

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

export type FailureDrilldown =
  | { state: "unknown" }
  | { state: "copying"; mirror: MirrorStatus | null }
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

export async function loadFailureDrilldown(
  db: Database,
  workspaceId: string,
  batchId: string,
  view: DrilldownView,
): Promise<FailureDrilldown> {
  const mirror = await getMirrorStatus(db, workspaceId, batchId);
  if (!mirror?.lastSuccessAt) {
    if (mirror) return { state: "copying", mirror };
    if (!(await findTrackedBatch(db, workspaceId, batchId))) return { state: "unknown" };
    // Tracked but never copied (tracked before copying existed, or its copy was dropped): start it.
    await requestSync(db, workspaceId, batchId);
    return { state: "copying", mirror: await getMirrorStatus(db, workspaceId, batchId) };
  }

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
    copiedAt: mirror.lastSuccessAt,
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
