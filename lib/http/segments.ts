// Route segments and query values are checked here before any I/O. PostgreSQL refuses a NUL in a
// text value (and PGlite throws the same way), so a value that reaches a query must never hold
// one; other control characters and overlong values are refused too: no real ID or search has them.
// Shared with the browser (no server-only import): it holds no secret.

/** C0 and C1 control characters, DEL included. Tabs and newlines too: no ID or filter has one. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Longer than any batch ID (128), job ID (200) or token we issue. */
export const MAX_SEGMENT_LENGTH = 256;

/** Whether a decoded value is text a query may carry: well-formed, no control characters, not overlong. */
export function isSafeText(value: string, maxLength: number): boolean {
  return value.length <= maxLength && !CONTROL.test(value) && value.isWellFormed();
}

/**
 * The one way a dynamic path segment is read. Next hands pages their params percent-encoded
 * (`encodeURIComponent` of the path's value) but route handlers theirs already decoded, so a page's
 * is decoded once here and a route's never again (that would turn a job ID like "%2500" into a
 * NUL). Null for a malformed escape, a control character (NUL included) or an overlong value: a
 * link that cannot name anything. Pages answer null with 404, route handlers with 400.
 */
export function decodeSegment(raw: string, from: "page" | "route", maxLength = MAX_SEGMENT_LENGTH): string | null {
  let decoded = raw;
  if (from === "page") {
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      return null;
    }
  }
  return isSafeText(decoded, maxLength) ? decoded : null;
}
