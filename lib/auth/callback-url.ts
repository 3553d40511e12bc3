/**
 * Where to go after sign-in: only a same-origin relative path (with its query), anything else
 * (other origins, protocol-relative "//host", "javascript:", backslash tricks) lands on "/".
 */
export function safeCallbackUrl(value: unknown): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) {
    return "/";
  }
  try {
    const base = "http://batchboard.invalid";
    const url = new URL(value, base);
    if (url.origin !== base) return "/";
    // Never back to the sign-in flow itself.
    if (url.pathname === "/login" || url.pathname.startsWith("/api/auth")) return "/";
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return "/";
  }
}
