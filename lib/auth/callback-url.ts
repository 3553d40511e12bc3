/**
 * A same-origin relative path (with its query and hash), or "/" for anything else: other origins,
 * protocol-relative "//host", "javascript:", backslash tricks.
 */
export function sameOriginPath(value: unknown): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) {
    return "/";
  }
  try {
    const base = "http://batchboard.invalid";
    const url = new URL(value, base);
    return url.origin === base ? `${url.pathname}${url.search}${url.hash}` : "/";
  } catch {
    return "/";
  }
}

/** Where to go after signing in: a same-origin path, and never back into the sign-in flow. */
export function safeCallbackUrl(value: unknown): string {
  const path = sameOriginPath(value);
  return path === "/login" || path.startsWith("/login?") || path.startsWith("/api/auth") ? "/" : path;
}

/**
 * Whether Auth.js accepts a callbackUrl (its own rule: an http(s) URL, or a path on this origin).
 * It answers any other one with a 500 ("server configuration"), though it is the visitor's input.
 */
export function authJsAcceptsCallbackUrl(value: string, origin: string): boolean {
  try {
    return /^https?:/.test(new URL(value, value.startsWith("/") ? origin : undefined).protocol);
  } catch {
    return false;
  }
}
