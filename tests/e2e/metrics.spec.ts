import { parse } from "csv-parse/sync";

import { sandbox } from "./fixtures/sandbox";
import { E2E } from "./fixtures/settings";
import { expect, test } from "./fixtures/test";

// /api/metrics: Prometheus text behind METRICS_TOKEN (not behind sign-in), and its counters move
// with what the app does: a page view reads Trillet and is timed, an export is counted with its rows.

const auth = { authorization: `Bearer ${E2E.metricsToken}` };

/** The sum of a metric's samples whose labels include all of `labels`. */
function sum(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split("\n")) {
    const match = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) total += Number(match[3]);
  }
  return total;
}

test("without the token the endpoint answers 401, with it the Prometheus text", async ({ playwright }) => {
  // A fresh context: no session cookie, as a Prometheus server would scrape.
  const request = await playwright.request.newContext({ baseURL: E2E.appUrl });
  try {
    const missing = await request.get("/api/metrics");
    expect(missing.status()).toBe(401);
    expect(missing.headers()["www-authenticate"]).toContain("Bearer");
    const wrong = await request.get("/api/metrics", { headers: { authorization: `Bearer ${E2E.metricsToken}x` } });
    expect(wrong.status()).toBe(401);
    const ok = await request.get("/api/metrics", { headers: auth });
    expect(ok.status()).toBe(200);
    expect(ok.headers()["content-type"]).toContain("text/plain");
    const text = await ok.text();
    for (const name of [
      "batchboard_upstream_requests_total",
      "batchboard_budget_in_use",
      "batchboard_budget_queued",
      "batchboard_mirror_sync_lag_seconds",
      "batchboard_exports_total",
      "batchboard_sign_in_failures_total",
      "batchboard_http_request_duration_seconds_bucket",
      "process_cpu_seconds_total",
      "nodejs_eventloop_lag_seconds",
    ]) {
      expect(text, name).toContain(name);
    }
    // Never a credential, however the gauges are labelled.
    for (const secret of [E2E.apiKey, E2E.workspaceId]) expect(text.includes(secret)).toBe(false);
  } finally {
    await request.dispose();
  }
});

test("counters move after a page view and an export", async ({ page, playwright }) => {
  const scraper = await playwright.request.newContext({ baseURL: E2E.appUrl, extraHTTPHeaders: auth });
  const scrape = async () => {
    const response = await scraper.get("/api/metrics");
    expect(response.status()).toBe(200);
    return response.text();
  };
  try {
    const page_ = { method: "GET", route: "/w/[workspace]/batches/[batchId]", status: "200" };
    const before = await scrape();

    // A running batch is read from Trillet at interactive priority on every (uncached) view.
    await page.goto("/w/sandbox/batches/demo-live");
    await expect(page.getByTestId("export-menu")).toBeVisible();
    const export_ = await page.request.get("/api/w/sandbox/batches/demo-finished/export?format=report");
    expect(export_.status()).toBe(200);
    const rows = (parse(await export_.text(), { bom: true }) as string[][]).length - 1;
    expect(rows).toBeGreaterThan(0);

    // The export's end is counted when its stream closes, just after the body arrived.
    await expect
      .poll(async () => {
        const after = await scrape();
        return {
          pageViews:
            1 <=
            sum(after, "batchboard_http_request_duration_seconds_count", page_) -
              sum(before, "batchboard_http_request_duration_seconds_count", page_),
          interactiveReads:
            1 <=
            sum(after, "batchboard_upstream_requests_total", { outcome: "ok", priority: "interactive" }) -
              sum(before, "batchboard_upstream_requests_total", { outcome: "ok", priority: "interactive" }),
          exports:
            sum(after, "batchboard_exports_total", { outcome: "completed" }) -
            sum(before, "batchboard_exports_total", { outcome: "completed" }),
          exportRows: sum(after, "batchboard_export_rows_total") - sum(before, "batchboard_export_rows_total"),
          exportTimed:
            sum(after, "batchboard_http_request_duration_seconds_count", { route: "/api/w/[workspace]/batches/[batchId]/export" }) -
            sum(before, "batchboard_http_request_duration_seconds_count", { route: "/api/w/[workspace]/batches/[batchId]/export" }),
        };
      })
      // The live page may refresh itself (another timed view, another read) while we wait.
      .toEqual({ pageViews: true, interactiveReads: true, exports: 1, exportRows: rows, exportTimed: 1 });
  } finally {
    await scraper.dispose();
  }
});

test("a 429 during an export is waited out, counted and logged", async ({ page, playwright }) => {
  const scraper = await playwright.request.newContext({ baseURL: E2E.appUrl, extraHTTPHeaders: auth });
  const scrape = async () => (await scraper.get("/api/metrics")).text();
  try {
    const before = await scrape();
    // demo-live is running, so never frozen: its export walks Trillet at bulk priority, which
    // waits out a 429 (about a second, under TRILLET_MAX_RATE_LIMIT_WAIT_MS) instead of failing.
    // (Should the mirror's background sync take the 429 instead, it waits it out the same way.)
    await sandbox.setFaults([{ kind: "429", count: 1, batchId: "demo-live" }]);
    const response = await page.request.get("/api/w/sandbox/batches/demo-live/export?status=failed");
    expect(response.status()).toBe(200);
    await response.body();
    const after = await scrape();
    expect(
      sum(after, "batchboard_upstream_rate_limited_total") - sum(before, "batchboard_upstream_rate_limited_total"),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sum(after, "batchboard_upstream_retries_total", { reason: "rate_limit" }) -
        sum(before, "batchboard_upstream_retries_total", { reason: "rate_limit" }),
    ).toBeGreaterThanOrEqual(1);
    // The wait's log line (upstream.rate_limit_wait) is checked with the whole run's log: server-log.final.ts.
  } finally {
    await sandbox.clearFaults();
    await scraper.dispose();
  }
});
