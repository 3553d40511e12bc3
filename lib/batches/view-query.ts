import { defineUrlState, param, type ViewOf } from "../url-state";

// The batch page's URL state (status tab, page, page size, search, sort, reason filter), declared
// once: the page, its JSON API, every link to it and the export query are read and written from
// this declaration. No zod here: client components import this module, and zod would add about
// 30 KiB gzip to the batch page's first load. The export route's strict parser is in search-params.ts.

export const SORTS = ["row", "start", "end", "duration", "status", "phone"] as const;
export type Sort = (typeof SORTS)[number];

export const batchViewState = defineUrlState({
  status: param.oneOf(["all", "waiting", "active", "completed", "failed"]),
  page: param.page(),
  limit: param.oneOf([20, 50, 100]),
  q: param.text({ max: 200 }),
  // "-duration" sorts descending; the default is Trillet's own order.
  sort: param.oneOf([...SORTS, ...SORTS.map((s) => `-${s}` as const)]),
  reason: param.text({ max: 300 }),
});

export type BatchView = ViewOf<typeof batchViewState.fields>;
export type StatusTab = BatchView["status"];
export const STATUS_TABS = batchViewState.fields.status.values;
export const PAGE_SIZES = batchViewState.fields.limit.values;

/**
 * The call whose detail sheet is open (?call=jobId). Kept apart from the view: the browser alone
 * reads and writes it (no server round trip), and links to another tab or page close the sheet.
 */
export const callSheetState = defineUrlState({ call: param.text({ max: 200 }) });

/** The batch view in a URL: every field its first value there, or its default when missing or malformed. */
export const parseBatchView = batchViewState.parse;

/** The query string of a view, leaving defaults out so links stay short. */
export const batchViewQuery = batchViewState.serialize;

export function sortOf(view: Pick<BatchView, "sort">): { sort: Sort; dir: "asc" | "desc" } {
  const desc = view.sort.startsWith("-");
  return { sort: view.sort.replace(/^-/, "") as Sort, dir: desc ? "desc" : "asc" };
}

/** Whether the view needs what only the mirror can do (search, sort, reason filter). */
export function needsMirror(view: Pick<BatchView, "q" | "sort" | "reason">): boolean {
  return view.q !== "" || view.reason !== "" || view.sort !== "row";
}

// The export of a view: its filters (status, reason, search) and how the file is written. The route
// parses it strictly (search-params.ts), from the same values and defaults.
export const exportState = defineUrlState({
  status: batchViewState.fields.status,
  reason: batchViewState.fields.reason,
  q: batchViewState.fields.q,
  format: param.oneOf(["report", "retry"]),
  bom: param.flag(),
});

export type ExportFormat = ViewOf<typeof exportState.fields>["format"];
/** A view's filters as the export menu holds them (an unknown status counts as all). */
export interface ExportFilter {
  status?: string;
  reason?: string;
  q?: string;
}

/** The export route's query for a view's filters: a retry file holds failed calls only, so it carries no status. */
export function exportQuery(filter: ExportFilter, { format, bom }: { format: ExportFormat; bom: boolean }): string {
  const status = format === "retry" ? undefined : STATUS_TABS.find((s) => s === filter.status);
  return exportState.serialize({ status, reason: filter.reason, q: filter.q, format, bom });
}
