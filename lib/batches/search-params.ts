import { z } from "zod";

import { isSafeText } from "../http/segments";
import { PAGE_SIZES, SORTS, STATUS_TABS, type BatchView } from "./view-query";

// One parser for the batch page's query string, shared by the page, the JSON API and the export
// route. A malformed value falls back to its default instead of failing. Server code imports the
// view helpers from here too; client components import them from view-query.ts (no zod).
export * from "./view-query";

const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);
// Free text that reaches SQL (search, reason): a control character (a NUL would make the database
// throw) or an overlong value is no search anyone typed, so the view falls back to none.
const freeText = (max: number) =>
  z
    .string()
    .trim()
    .refine((v) => isSafeText(v, max))
    .catch("");

export const batchViewSchema = z.object({
  status: z.preprocess(first, z.enum(STATUS_TABS).catch("all")).default("all"),
  page: z.preprocess(first, z.coerce.number().int().min(1).max(1_000_000).catch(1)).default(1),
  limit: z
    .preprocess(
      first,
      z.coerce
        .number()
        .refine((n): n is (typeof PAGE_SIZES)[number] => (PAGE_SIZES as readonly number[]).includes(n))
        .catch(20),
    )
    .default(20),
  q: z.preprocess(first, freeText(200)).default(""),
  // "-duration" sorts descending; the default is Trillet's own order.
  sort: z
    .preprocess(
      first,
      z
        .string()
        .regex(new RegExp(`^-?(${SORTS.join("|")})$`))
        .catch("row"),
    )
    .default("row"),
  reason: z.preprocess(first, freeText(300)).default(""),
});

export function parseBatchView(params: Record<string, string | string[] | undefined>): BatchView {
  return batchViewSchema.parse(params) as BatchView;
}

// The export route takes the page's filters (status, reason, q) strictly: a download that silently
// ignored a malformed filter would look like the view but hold other rows. Page-only parameters
// (page, limit, sort) may come along with a copied query string and are ignored.
const single = (name: string) =>
  z
    .union([z.string(), z.array(z.string())])
    .optional()
    .refine((v) => !Array.isArray(v), { message: `${name} may be given once` })
    .transform((v) => v as string | undefined);

const strictText = (name: string, max: number) =>
  z
    .string()
    .trim()
    .max(max, `${name} is too long (${max} characters at most)`)
    .refine((v) => isSafeText(v, max), `${name} may not contain control characters`)
    .default("");

export const exportViewSchema = z.object({
  status: single("status").pipe(z.enum(STATUS_TABS, { message: `status must be one of ${STATUS_TABS.join(", ")}` }).default("all")),
  reason: single("reason").pipe(strictText("reason", 300)),
  q: single("q").pipe(strictText("q", 200)),
  format: single("format").pipe(z.enum(["report", "retry"], { message: "format must be report or retry" }).default("report")),
  bom: single("bom")
    .pipe(z.enum(["0", "1"], { message: "bom must be 0 or 1" }).default("0"))
    .transform((v) => v === "1"),
});

export type ExportView = z.output<typeof exportViewSchema>;

/** The export's view, or the first problem in words. */
export function parseExportView(params: URLSearchParams): { view: ExportView } | { error: string } {
  const raw: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const all = params.getAll(key);
    raw[key] = all.length === 1 ? all[0]! : all;
  }
  const parsed = exportViewSchema.safeParse(raw);
  if (!parsed.success) return { error: parsed.error.issues[0]?.message ?? "Invalid export parameters." };
  const view = parsed.data;
  if (view.format === "retry" && view.status !== "all" && view.status !== "failed") {
    return { error: "A retry file holds failed calls only: use status=failed (or leave it out)." };
  }
  return { view: view.format === "retry" ? { ...view, status: "failed" } : view };
}
