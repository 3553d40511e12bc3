import { z } from "zod";

// One parser for the batch page's query string, shared by the page, its links, the JSON API and
// (later) the export route. A malformed value falls back to its default instead of failing.

export const PAGE_SIZES = [20, 50, 100] as const;
export const STATUS_TABS = ["all", "waiting", "active", "completed", "failed"] as const;
export type StatusTab = (typeof STATUS_TABS)[number];
export const SORTS = ["row", "start", "end", "duration", "status", "phone"] as const;
export type Sort = (typeof SORTS)[number];

const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);

export const batchViewSchema = z.object({
  status: z.preprocess(first, z.enum(STATUS_TABS).catch("all")).default("all"),
  page: z.preprocess(first, z.coerce.number().int().min(1).max(1_000_000).catch(1)).default(1),
  limit: z.preprocess(
    first,
    z.coerce
      .number()
      .refine((n): n is (typeof PAGE_SIZES)[number] => (PAGE_SIZES as readonly number[]).includes(n))
      .catch(20),
  ).default(20),
  q: z.preprocess(first, z.string().trim().max(200).catch("")).default(""),
  // "-duration" sorts descending; the default is Trillet's own order.
  sort: z.preprocess(first, z.string().regex(new RegExp(`^-?(${SORTS.join("|")})$`)).catch("row")).default("row"),
  reason: z.preprocess(first, z.string().trim().max(300).catch("")).default(""),
});

export interface BatchView {
  status: StatusTab;
  page: number;
  limit: (typeof PAGE_SIZES)[number];
  q: string;
  sort: string;
  reason: string;
}

export function parseBatchView(params: Record<string, string | string[] | undefined>): BatchView {
  return batchViewSchema.parse(params) as BatchView;
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
