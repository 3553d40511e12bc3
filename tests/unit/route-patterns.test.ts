import { readdirSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { ROUTE_PATTERNS, routeOf } from "@/lib/route-patterns";

// The HTTP latency histogram is labelled by route pattern: a page or handler missing from the
// table would be counted as "other", mixed with 404s.

function appRoutes(dir: string, prefix = ""): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      // Route groups "(x)" add nothing to the path; private folders "_x" are not routes.
      if (entry.name.startsWith("_")) continue;
      const segment = /^\(.+\)$/.test(entry.name) ? "" : `/${entry.name}`;
      found.push(...appRoutes(path.join(dir, entry.name), prefix + segment));
    } else if (/^(page\.tsx|route\.ts)$/.test(entry.name)) {
      found.push(prefix || "/");
    }
  }
  return found;
}

describe("route patterns", () => {
  it("lists every page and route handler under app/", () => {
    const routes = appRoutes(path.resolve("app"));
    expect(routes.length).toBeGreaterThan(10);
    for (const route of routes) expect(ROUTE_PATTERNS, route).toContain(route);
  });

  it("maps a path to its pattern, never to its ids", () => {
    expect(routeOf("/")).toBe("/");
    expect(routeOf("/w/sandbox/batches/demo-live")).toBe("/w/[workspace]/batches/[batchId]");
    expect(routeOf("/w/sandbox/batches/demo-live/failed")).toBe("/w/[workspace]/batches/[batchId]/failed");
    expect(routeOf("/api/w/sandbox/batches/b1/calls/j1")).toBe("/api/w/[workspace]/batches/[batchId]/calls/[jobId]");
    expect(routeOf("/api/w/sandbox/batches/b1/export")).toBe("/api/w/[workspace]/batches/[batchId]/export");
    expect(routeOf("/api/auth/callback/credentials")).toBe("/api/auth/[...nextauth]");
    expect(routeOf("/api/metrics")).toBe("/api/metrics");
    expect(routeOf("/_next/static/chunks/x.js")).toBe("static");
    expect(routeOf("/favicon.ico")).toBe("static");
    expect(routeOf("/w/a/b/c/d/e")).toBe("other");
    expect(routeOf("/nothing-here")).toBe("other");
  });
});
