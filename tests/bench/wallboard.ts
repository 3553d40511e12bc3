import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

import { chromium } from "@playwright/test";

import { buildIfStale, startNext, type StartedApp } from "../../scripts/lib/next-app";
import { BENCH_KEY, BENCH_WORKSPACE, fixed, percentile, sleep, startBenchSandbox, table, verdict, type Verdict } from "./support";

// Benchmark: a team's wallboard. A production build of the app, signed-in viewers polling the JSON
// of a running 5,000-call batch (pages 1-3, every 5 s like the live page) for a minute while the
// app copies that batch in the background, against the sandbox at Trillet's 60 requests/min.
// Measured end to end over HTTP: errors, latency percentiles, and what reached Trillet.

const BATCH = "demo-live";
const LIVE_SIZE = 5_000;
const LIMIT_PER_MINUTE = 60;
const POLL_MS = 5_000;
const MEASURE_MS = 60_000;
const UPSTREAM_LATENCY_MS = 100;
const VIEWER_COUNTS = [1, 200] as const;
const DIST_DIR = ".next-bench";
const ADMIN = { email: "admin@demo.batchboard.dev", password: "batchboard-demo-admin" };

export interface WallboardCase {
  viewers: number;
  polls: number;
  errors: number;
  /** Answers that were an older read marked stale (not errors: the numbers were true, with their age). */
  stale: number;
  p50: number;
  p95: number;
  p99: number;
  upstreamRequests: number;
  upstream429: number;
  /** The largest number of upstream requests in any 60 s window of the measurement. */
  maxPerMinute: number;
  errorSamples: string[];
}

export interface WallboardResult {
  liveSize: number;
  cases: WallboardCase[];
  verdicts: Verdict[];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

async function waitForHealth(url: string, app: StartedApp, timeoutMs = 120_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (app.child.exitCode !== null) throw new Error(`the app exited (${app.child.exitCode}); see its log`);
    const ok = await fetch(`${url}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await sleep(500);
  }
  throw new Error("the app did not become healthy in time");
}

/** Signs in through the real form in the system Chromium and returns the session's Cookie header. */
async function signIn(appUrl: string): Promise<string> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-quic",
      "--no-first-run",
    ],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`${appUrl}/login`);
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => !url.pathname.startsWith("/login"), { timeout: 30_000 });
    const cookies = await page.context().cookies();
    return cookies.map((c) => `${c.name}=${c.value}`).join("; ");
  } finally {
    await browser.close();
  }
}

interface Tally {
  latencies: number[];
  errors: number;
  stale: number;
  errorSamples: string[];
}

async function viewer(appUrl: string, cookie: string, page: number, until: number, tally: Tally) {
  await sleep(Math.random() * POLL_MS); // people opened the page at different moments
  while (performance.now() < until) {
    const started = performance.now();
    try {
      const response = await fetch(`${appUrl}/api/w/sandbox/batches/${BATCH}?page=${page}`, {
        headers: { cookie, accept: "application/json" },
      });
      const body = (await response.json()) as { stale?: unknown; error?: string };
      tally.latencies.push(performance.now() - started);
      if (!response.ok) {
        tally.errors++;
        if (tally.errorSamples.length < 5) tally.errorSamples.push(`HTTP ${response.status}: ${body.error ?? ""}`);
      } else if (body.stale) tally.stale++;
    } catch (error) {
      tally.latencies.push(performance.now() - started);
      tally.errors++;
      if (tally.errorSamples.length < 5) tally.errorSamples.push(error instanceof Error ? error.message : String(error));
    }
    // Like SWR: the next refresh is the interval after the last answer.
    await sleep(POLL_MS + Math.random() * 100);
  }
}

function maxInAnyMinute(times: number[]): number {
  let best = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= 60_000) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

export async function runWallboardBench(log: (line: string) => void): Promise<WallboardResult> {
  log(`\n## Wallboard: viewers of a running ${LIVE_SIZE.toLocaleString("en")}-call batch over HTTP (production build)`);
  const arrivals: number[] = [];
  const sb = await startBenchSandbox({ liveSize: LIVE_SIZE, rateLimitPerMinute: LIMIT_PER_MINUTE, latencyMs: UPSTREAM_LATENCY_MS });
  const originalHandle = sb.sandbox.handle.bind(sb.sandbox);
  sb.sandbox.handle = (request: Request) => {
    if (new URL(request.url).pathname.startsWith("/v1/")) arrivals.push(performance.now());
    return originalHandle(request);
  };
  const dataDir = mkdtempSync(path.join(tmpdir(), "batchboard-wallboard-"));
  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    PUBLIC_URL: appUrl,
    AUTH_SECRET: "bench-auth-secret-0123456789abcdefghijklmnop",
    ENCRYPTION_KEY: "YmVuY2gtZW5jcnlwdGlvbi1rZXktMDEyMzQ1Njc4OWE=",
    DEMO_SEED: "true",
    // A production build with the public demo passwords, on 127.0.0.1, on purpose; the sandbox is on loopback.
    DEMO_SEED_IN_PRODUCTION: "true",
    ALLOW_PRIVATE_URLS: "true",
    PGLITE_DIR: path.join(dataDir, "pglite"),
    EXPORT_CACHE_DIR: path.join(dataDir, "export-cache"),
    SANDBOX_PORT: new URL(sb.url).port,
    SANDBOX_API_KEY: BENCH_KEY,
    SANDBOX_WORKSPACE_ID: BENCH_WORKSPACE,
    TRILLET_RATE_LIMIT_PER_MINUTE: String(LIMIT_PER_MINUTE),
  };
  log(`building the app into ${DIST_DIR}/ if its sources changed, then starting it on ${appUrl}`);
  buildIfStale(DIST_DIR, env);
  const app = startNext({
    port,
    host: "127.0.0.1",
    distDir: DIST_DIR,
    env,
    logFile: path.join("test-results", "bench-wallboard-server.log"),
    echo: false,
  });
  const cases: WallboardCase[] = [];
  try {
    await waitForHealth(appUrl, app);
    const cookie = await signIn(appUrl);
    // Someone opens the batch: it is tracked and its copy starts, as on a real wallboard.
    const opened = await fetch(`${appUrl}/api/w/sandbox/batches/${BATCH}`, { headers: { cookie } });
    if (!opened.ok) throw new Error(`opening ${BATCH} failed: HTTP ${opened.status}`);
    await sleep(POLL_MS);
    for (const viewers of VIEWER_COUNTS) {
      const tally: Tally = { latencies: [], errors: 0, stale: 0, errorSamples: [] };
      sb.sandbox.resetStats();
      const from = performance.now();
      arrivals.length = 0;
      const until = from + MEASURE_MS;
      await Promise.all(Array.from({ length: viewers }, (_, i) => viewer(appUrl, cookie, (i % 3) + 1, until, tally)));
      const stats = sb.sandbox.stats();
      const sorted = [...tally.latencies].sort((a, b) => a - b);
      cases.push({
        viewers,
        polls: sorted.length,
        errors: tally.errors,
        stale: tally.stale,
        p50: percentile(sorted, 50),
        p95: percentile(sorted, 95),
        p99: percentile(sorted, 99),
        upstreamRequests: stats.requests,
        upstream429: stats.byStatus["429"] ?? 0,
        maxPerMinute: maxInAnyMinute(arrivals.filter((t) => t <= until)),
        errorSamples: tally.errorSamples,
      });
    }
  } finally {
    await app.stop();
    await sb.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const batch = sb.sandbox.summary(BATCH)!;
  if (batch.waiting === 0 && batch.active === 0) log("WARNING: the live batch finished during the run.");
  log(
    table(
      ["viewers", "polls", "errors", "stale answers", "p50", "p95", "p99", "upstream requests", "max in any 60 s", "429s"],
      cases.map((c) => [
        c.viewers,
        c.polls,
        c.errors,
        c.stale,
        `${fixed(c.p50, 0)} ms`,
        `${fixed(c.p95, 0)} ms`,
        `${fixed(c.p99, 0)} ms`,
        c.upstreamRequests,
        c.maxPerMinute,
        c.upstream429,
      ]),
    ),
  );
  for (const c of cases) if (c.errorSamples.length) log(`errors seen by ${c.viewers} viewer(s): ${c.errorSamples.join(" | ")}`);
  log(
    `each viewer polls one of pages 1-3 of ${BATCH} every ${POLL_MS / 1000} s after its last answer, for ${MEASURE_MS / 1000} s; ` +
      `upstream: the sandbox's count (page views and the background copy together), at ${LIMIT_PER_MINUTE}/min with ${UPSTREAM_LATENCY_MS} ms latency.`,
  );
  const many = cases.find((c) => c.viewers === 200)!;
  const one = cases.find((c) => c.viewers === 1)!;
  const verdicts: Verdict[] = [
    verdict("wallboard: 200 viewers, errors", many.errors, "count", "max", 0),
    verdict("wallboard: 200 viewers, p95 latency", many.p95, "ms", "lt", 500, `p50 ${fixed(many.p50, 0)} ms, p99 ${fixed(many.p99, 0)} ms`),
    verdict("wallboard: 200 viewers, upstream in any 60 s", many.maxPerMinute, "count", "max", LIMIT_PER_MINUTE),
    verdict("wallboard: 200 viewers, upstream 429s", many.upstream429, "count", "max", 0),
    verdict("wallboard: 1 viewer, errors", one.errors, "count", "max", 0),
    verdict("wallboard: 1 viewer, p95 latency", one.p95, "ms", "info", 0, `p50 ${fixed(one.p50, 0)} ms`),
    verdict("wallboard: 1 viewer, upstream in any 60 s", one.maxPerMinute, "count", "max", LIMIT_PER_MINUTE),
  ];
  return { liveSize: LIVE_SIZE, cases, verdicts };
}
