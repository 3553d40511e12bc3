// The batch page's view (status tab, page, sort, search) as the browser needs it: the names, the
// type and the query string of a link. No zod here: client components import this module, and zod
// would add about 30 KiB gzip to the batch page's first load. The parser is in search-params.ts.

export const PAGE_SIZES = [20, 50, 100] as const;
export const STATUS_TABS = ["all", "waiting", "active", "completed", "failed"] as const;
export type StatusTab = (typeof STATUS_TABS)[number];
export const SORTS = ["row", "start", "end", "duration", "status", "phone"] as const;
export type Sort = (typeof SORTS)[number];

export interface BatchView {
  status: StatusTab;
  page: number;
  limit: (typeof PAGE_SIZES)[number];
  q: string;
  sort: string;
  reason: string;
}

export function sortOf(view: Pick<BatchView, "sort">): { sort: Sort; dir: "asc" | "desc" } {
  const desc = view.sort.startsWith("-");
  return { sort: view.sort.replace(/^-/, "") as Sort, dir: desc ? "desc" : "asc" };
}

/** Whether the view needs what only the mirror can do (search, sort, reason filter). */
export function needsMirror(view: Pick<BatchView, "q" | "sort" | "reason">): boolean {
  return view.q !== "" || view.reason !== "" || view.sort !== "row";
}

/** The query string of a view, leaving defaults out so links stay short. */
export function batchViewQuery(view: Partial<BatchView>): string {
  const q = new URLSearchParams();
  if (view.status && view.status !== "all") q.set("status", view.status);
  if (view.page && view.page !== 1) q.set("page", String(view.page));
  if (view.limit && view.limit !== 20) q.set("limit", String(view.limit));
  if (view.q) q.set("q", view.q);
  if (view.sort && view.sort !== "row") q.set("sort", view.sort);
  if (view.reason) q.set("reason", view.reason);
  const s = q.toString();
  return s ? `?${s}` : "";
}
