import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { openTestDatabase, usingPostgres } from "../support/db";

// /api/metrics's answer (lib/metrics-scrape.ts, the route's whole body): 404 while no token is
// configured, 401 without the right bearer token (and a challenge), else Prometheus text with the
// mirror's queue read from the database.

const TOKEN = "metrics-test-token-0123456789";
let handle: Awaited<ReturnType<typeof openTestDatabase>>;

beforeAll(async () => {
  handle = await openTestDatabase();
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await handle.dispose();
});

/** lib/env.ts reads the settings once per module graph: load a fresh graph for each setting. */
async function endpoint(token: string | undefined) {
  vi.resetModules();
  vi.stubEnv("METRICS_TOKEN", token ?? "");
  const db = await import("@/lib/db");
  db.setDatabaseForTests(handle);
  return (await import("@/lib/metrics-scrape")).metricsResponse;
}

const get = (headers: Record<string, string> = {}) => new Request("http://app.test/api/metrics", { headers });

describe(`/api/metrics (${usingPostgres() ? "PostgreSQL" : "PGlite"})`, () => {
  it("answers 404 while METRICS_TOKEN is unset, whatever is sent", async () => {
    const metricsResponse = await endpoint(undefined);
    expect((await metricsResponse(get())).status).toBe(404);
    expect((await metricsResponse(get({ authorization: `Bearer ${TOKEN}` }))).status).toBe(404);
  });

  it("answers 401 without the token, with a wrong one or another scheme", async () => {
    const metricsResponse = await endpoint(TOKEN);
    for (const authorization of [undefined, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${TOKEN}`, TOKEN, "Bearer "]) {
      const response = await metricsResponse(get(authorization ? { authorization } : {}));
      expect(response.status, String(authorization)).toBe(401);
      expect(response.headers.get("www-authenticate")).toContain("Bearer");
    }
  });

  it("answers the Prometheus text with the right token, default Node metrics included", async () => {
    const metricsResponse = await endpoint(TOKEN);
    const response = await metricsResponse(get({ authorization: `Bearer ${TOKEN}` }));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const text = await response.text();
    expect(text).toMatch(/^batchboard_mirror_sync_lag_seconds \d/m);
    expect(text).toMatch(/^batchboard_mirror_jobs\{state="frozen"\} \d/m);
    expect(text).toContain("# TYPE batchboard_http_request_duration_seconds histogram");
    expect(text).toContain("process_cpu_user_seconds_total");
  });
});
