import { env } from "../env";

/** The Content-Security-Policy of a page: scripts only with this request's nonce, no framing. */
export function contentSecurityPolicy(nonce: string): string {
  const dev = env.NODE_ENV !== "production";
  // Sign-in with OIDC posts a form that redirects to the identity provider.
  const formTargets = ["'self'", ...(env.OIDC_ISSUER ? [new URL(env.OIDC_ISSUER).origin] : [])];
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${dev ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    `form-action ${formTargets.join(" ")}`,
    "frame-ancestors 'none'",
  ].join("; ");
}
