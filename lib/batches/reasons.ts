// Punctuation folded off the end of a reason, with whitespace.
const TRAILING = new Set([".", ",", ";", ":", "!", "?", "…", "。", " "]);

/** Longest grouping key: past it, two reasons that start the same count as one (the page shows the wording). */
export const MAX_REASON_KEY = 500;

/**
 * The grouping key of a failure reason: case, inner whitespace and trailing punctuation folded,
 * so "Number busy", " number  busy." and "NUMBER BUSY!" count as one reason. The original wording
 * is kept elsewhere for display.
 *
 * Linear in the input: the text is cut before any work (upstream reasons are not ours to bound),
 * and the trailing punctuation is trimmed by a loop from the end. (A `[...]+$` regex retries
 * from every position of a long punctuation run: quadratic.)
 */
export function reasonKey(error: string | null | undefined): string | null {
  if (error === null || error === undefined) return null;
  const collapsed = error
    .slice(0, MAX_REASON_KEY * 4)
    .normalize("NFKC")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, MAX_REASON_KEY);
  let end = collapsed.length;
  while (end > 0 && TRAILING.has(collapsed[end - 1]!)) end--;
  const key = collapsed.slice(0, end).toLowerCase();
  // Same key as a missing error (lib/mirror/queries.ts NO_REASON).
  return key || "(no reason given)";
}
