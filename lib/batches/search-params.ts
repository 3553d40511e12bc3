import { z } from "zod";

import { isSafeText } from "../http/segments";
import { batchViewState, exportState, parseBatchView } from "./view-query";

// Server-side parsers of the batch page's query string, built on its one declaration (view-query.ts,
// which client components import without zod). Server code imports the view helpers from here too.
export * from "./view-query";

/** The batch view as a zod schema, for the JSON API's withRoute query. Lenient like the page. */
export const batchViewSchema = z.record(z.string(), z.union([z.string(), z.array(z.string())])).transform(parseBatchView);

// The export route takes the page's filters (status, reason, q) strictly: a download that silently
// ignored a malformed filter would look like the view but hold other rows. Page-only parameters
// (page, limit, sort) may come along with a copied query string and are ignored. Values, defaults
// and lengths come from the declaration; only the strictness and the messages are added here.
const single = (name: string) =>
  z
    .union([z.string(), z.array(z.string())])
    .optional()
    .refine((v) => !Array.isArray(v), { message: `${name} may be given once` })
    .transform((v) => v as string | undefined);

const strictText = (name: string, { max }: { max: number }) =>
  z
    .string()
    .trim()
    .max(max, `${name} is too long (${max} characters at most)`)
    .refine((v) => isSafeText(v, max), `${name} may not contain control characters`)
    .default("");

const { fields, defaults } = exportState;
const statuses = batchViewState.fields.status.values;

export const exportViewSchema = z.object({
  status: single("status").pipe(z.enum(statuses, { message: `status must be one of ${statuses.join(", ")}` }).default(defaults.status)),
  reason: single("reason").pipe(strictText("reason", fields.reason)),
  q: single("q").pipe(strictText("q", fields.q)),
  format: single("format").pipe(
    z.enum(fields.format.values, { message: `format must be ${fields.format.values.join(" or ")}` }).default(defaults.format),
  ),
  bom: single("bom")
    .pipe(z.enum(["0", "1"], { message: "bom must be 0 or 1" }).default("0"))
    .transform((v) => fields.bom.read(v) ?? defaults.bom),
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
