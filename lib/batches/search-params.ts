import { z } from "zod";

// One parser for the batch page's query string, shared by the page, its links and (later) the
// API and export routes. A malformed value falls back to its default instead of failing the page.

export const PAGE_SIZES = [20, 50, 100] as const;
export const STATUS_TABS = ["all", "waiting", "active", "completed", "failed"] as const;
export type StatusTab = (typeof STATUS_TABS)[number];

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
});

export type BatchView = { status: StatusTab; page: number; limit: (typeof PAGE_SIZES)[number] };

export function parseBatchView(params: Record<string, string | string[] | undefined>): BatchView {
  return batchViewSchema.parse(params) as BatchView;
}

/** The query string of a view, leaving defaults out so links stay short. */
export function batchViewQuery(view: Partial<BatchView>): string {
  const q = new URLSearchParams();
  if (view.status && view.status !== "all") q.set("status", view.status);
  if (view.page && view.page !== 1) q.set("page", String(view.page));
  if (view.limit && view.limit !== 20) q.set("limit", String(view.limit));
  const s = q.toString();
  return s ? `?${s}` : "";
}
