import { batchIdSchema } from "../trillet/batch-id";

export type BatchInput = { ok: true; batchId: string; query: string } | { ok: false; message: string };

/**
 * What a person pastes into "Open batch": a bare batch ID, or a Batchboard link to a batch page
 * (any host: colleagues paste links from their own address bar), whose view is kept.
 */
export function parseBatchInput(raw: string): BatchInput {
  const input = raw.trim();
  if (!input) return { ok: false, message: "Enter a batch ID or paste a Batchboard link." };
  let candidate = input;
  let query = "";
  if (/^https?:\/\//i.test(input) || input.startsWith("/")) {
    let url: URL;
    try {
      url = new URL(input, "http://paste.invalid");
    } catch {
      return { ok: false, message: "That link could not be read." };
    }
    const match = url.pathname.match(/\/batches\/([^/]+)/);
    if (!match?.[1]) return { ok: false, message: "That link does not point at a batch." };
    try {
      candidate = decodeURIComponent(match[1]);
    } catch {
      return { ok: false, message: "That link could not be read." };
    }
    query = url.search;
  }
  const id = batchIdSchema.safeParse(candidate);
  if (!id.success) return { ok: false, message: id.error.issues[0]?.message ?? "That is not a valid batch ID." };
  return { ok: true, batchId: id.data, query };
}
