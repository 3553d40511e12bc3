import { parseBatchInput } from "@/lib/batches/batch-input";
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
  const isLink = /^https?:\/\//i.test(input) || input.startsWith("/");
  if (!parsed.ok) {
    if (isLink || !input) return parsed;
    const shown = input.length > 40 ? `${input.slice(0, 40)}…` : input;
    return { ok: false, message: `“${shown}” is not a batch ID. ${parsed.message}` };
  }
  let target = workspace;
  let page = "";
  if (isLink) {
    const match = new URL(input, "http://paste.invalid").pathname.match(WORKSPACE_IN_LINK);
    if (match?.[1]) target = match[1];
    if (match?.[2]) page = "/failed";
  }
  return { ok: true, href: `/w/${target}/batches/${encodeURIComponent(parsed.batchId)}${page}${parsed.query}` };
}
