import { isPastedLink, parseBatchInput, pastedUrl } from "@/lib/batches/batch-input";
import { failuresHref, parseDrilldownView } from "@/lib/batches/drilldown-view";
import { batchViewQuery, callSheetState, parseBatchView } from "@/lib/batches/view-query";
import { WORKSPACE_SLUG_SOURCE } from "@/lib/workspace-slug";

export type OpenTarget = { ok: true; href: string } | { ok: false; message: string };

const WORKSPACE_IN_LINK = new RegExp(`^/w/(${WORKSPACE_SLUG_SOURCE})/batches/[^/]+(/failed)?/?$`);

/**
 * Where "Open batch" goes for what was typed: a bare ID opens in this workspace; a pasted
 * Batchboard link reopens exactly its own view (its workspace, its failed-calls page, its query).
 * Whether the batch exists is the batch page's question, not this one's.
 */
export function openBatchTarget(workspace: string, raw: string): OpenTarget {
  const parsed = parseBatchInput(raw);
  const input = raw.trim();
  const isLink = isPastedLink(input);
  if (!parsed.ok) {
    if (isLink || !input) return parsed;
    const shown = input.length > 40 ? `${input.slice(0, 40)}…` : input;
    return { ok: false, message: `“${shown}” is not a batch ID. ${parsed.message}` };
  }
  let target = workspace;
  let failures = false;
  if (isLink) {
    const match = pastedUrl(input).pathname.match(WORKSPACE_IN_LINK);
    if (match?.[1]) target = match[1];
    failures = Boolean(match?.[2]);
  }
  // The link's view, rewritten by the page's own declaration: what it does not know is dropped.
  const batchHref = `/w/${target}/batches/${encodeURIComponent(parsed.batchId)}`;
  const params = new URLSearchParams(parsed.query);
  if (failures) return { ok: true, href: failuresHref(batchHref, parseDrilldownView(params)) };
  const query = new URLSearchParams(batchViewQuery(parseBatchView(params)));
  return { ok: true, href: `${batchHref}${callSheetState.update(query, callSheetState.parse(params))}` };
}
