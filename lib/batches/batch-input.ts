import { decodeSegment } from "../http/segments";
import { batchIdSchema } from "../trillet/batch-id";

export type BatchInput = { ok: true; batchId: string; query: string } | { ok: false; message: string };

/**
 * A link pasted without its scheme, as some address bars copy it and people type it: a host
 * (localhost, a dotted name or address, or [IPv6]) with an optional port, then a path. A bare batch
 * ID never matches: it has no "/" and no ".".
 */
const SCHEMELESS_LINK = /^(localhost|\[[0-9a-f:.]+\]|[a-z0-9-]+(\.[a-z0-9-]+)+)(:\d{1,5})?\//i;

/** Whether the input is a link (with or without scheme, or a path) rather than a bare batch ID. */
export function isPastedLink(input: string): boolean {
  return /^https?:\/\//i.test(input) || input.startsWith("/") || SCHEMELESS_LINK.test(input);
}

/** The URL of a pasted link (see isPastedLink); throws when it cannot be read. */
export function pastedUrl(input: string): URL {
  return new URL(SCHEMELESS_LINK.test(input) ? `http://${input}` : input, "http://paste.invalid");
}

/**
 * What a person pastes into "Open batch": a bare batch ID, or a Batchboard link to a batch page
 * (any host, with or without scheme: colleagues paste links from their own address bar), whose view is kept.
 */
export function parseBatchInput(raw: string): BatchInput {
  const input = raw.trim();
  if (!input) return { ok: false, message: "Enter a batch ID or paste a Batchboard link." };
  let candidate = input;
  let query = "";
  if (isPastedLink(input)) {
    let url: URL;
    try {
      url = pastedUrl(input);
    } catch {
      return { ok: false, message: "That link could not be read." };
    }
    const match = url.pathname.match(/\/batches\/([^/]+)/);
    if (!match?.[1]) return { ok: false, message: "That link does not point at a batch." };
    const segment = decodeSegment(match[1], "page");
    if (segment === null) return { ok: false, message: "That link could not be read." };
    candidate = segment;
    query = url.search;
  }
  const id = batchIdSchema.safeParse(candidate);
  if (!id.success) return { ok: false, message: id.error.issues[0]?.message ?? "That is not a valid batch ID." };
  return { ok: true, batchId: id.data, query };
}
