// The app's pages and route handlers as patterns, for metric labels: a request's route is its
// pattern ("/w/[workspace]/batches/[batchId]"), never its path, so there is one series per route
// rather than one per batch. tests/unit/route-patterns.test.ts checks every page.tsx and route.ts
// under app/ is listed here.

export const ROUTE_PATTERNS = [
  "/",
  "/account",
  "/account/confirm",
  "/login",
  "/setup",
  "/invite/[token]",
  "/settings",
  "/settings/audit",
  "/settings/members",
  "/settings/workspaces",
  "/settings/workspaces/[slug]/notifications",
  "/w/[workspace]/batches",
  "/w/[workspace]/batches/[batchId]",
  "/w/[workspace]/batches/[batchId]/failed",
  "/api/auth/[...nextauth]",
  "/api/health",
  "/api/ready",
  "/api/metrics",
  "/api/w/[workspace]/batches/[batchId]",
  "/api/w/[workspace]/batches/[batchId]/calls/[jobId]",
  "/api/w/[workspace]/batches/[batchId]/export",
  "/api/w/[workspace]/batches/[batchId]/export/progress",
  "/api/w/[workspace]/batches/[batchId]/insights",
] as const;

const compiled = ROUTE_PATTERNS.map((pattern) => ({
  pattern,
  regex: new RegExp(
    `^${pattern
      .split("/")
      .map((part) => (/^\[\.\.\..+\]$/.test(part) ? ".+" : /^\[.+\]$/.test(part) ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
      .join("/")}/?$`,
  ),
}));

/** The route pattern a path belongs to; "static" for Next's assets and public files, else "other". */
export function routeOf(path: string): string {
  if (path.startsWith("/_next/")) return "static";
  for (const { pattern, regex } of compiled) if (regex.test(path)) return pattern;
  if (/\.[a-z0-9]{2,5}$/i.test(path)) return "static";
  return "other";
}
