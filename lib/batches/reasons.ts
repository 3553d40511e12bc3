/**
 * The grouping key of a failure reason: case, inner whitespace and trailing punctuation folded,
 * so "Number busy", " number  busy." and "NUMBER BUSY!" count as one reason. The original wording
 * is kept elsewhere for display.
 */
export function reasonKey(error: string | null | undefined): string | null {
  if (error === null || error === undefined) return null;
  const key = error
    .normalize("NFKC")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/[\s.,;:!?…。]+$/u, "")
    .toLowerCase();
  // Same key as a missing error (mirror-queries.ts NO_REASON).
  return key || "(no reason given)";
}
