import { walkBatch } from "../../lib/trillet/walker";
import {
  BENCH_KEY,
  BENCH_WORKSPACE,
  fixed,
  sleep,
  slope,
  startBenchSandbox,
  table,
  verdict,
  type BenchSandbox,
  type Verdict,
} from "./support";

// Benchmark 1: an unmirrored walk of demo-large through the workspace gateway, against the rows per
// second the rate limit allows, beside a naive reader that follows the API reference page by page.
// Trillet's minute is scaled down identically on both sides: the sandbox's window and the budget's.

const BATCH = "demo-large";
const LIMIT = 20;
const WINDOW_MS = 2_000;
// The budget's 1 s of slack per 60 s window, scaled like the window.
const SAFETY_MS = Math.round((1_000 * WINDOW_MS) / 60_000);
const PAGES = 300;
const PAGE_SIZE = 100;
/** Rows per second the rate limit allows: LIMIT full pages per window. */
const BOUND_ROWS_PER_SEC = (LIMIT * PAGE_SIZE) / (WINDOW_MS / 1000);

interface Trace {
  /** Seconds since the reader started, rows received so far; one point per page. */
  points: { x: number; y: number }[];
  rows: number;
  pages: number;
  seconds: number;
  status429: number;
  requests: number;
}

export interface ReaderFigures {
  rows: number;
  pages: number;
  seconds: number;
  wholeRowsPerSec: number;
  steadyRowsPerSec: number;
  wholeRatio: number;
  steadyRatio: number;
  upstreamRequests: number;
  status429: number;
}

export interface WalkResult {
  limit: number;
  windowMs: number;
  safetyMs: number;
  boundRowsPerSec: number;
  walk: ReaderFigures;
  naive: ReaderFigures;
  verdicts: Verdict[];
}

function figures(trace: Trace): ReaderFigures {
  // Steady state: least-squares slope of rows over time once the first window (and the burst it
  // allows) is over. Whole run: every row over the time from start to the last page.
  const steady = slope(trace.points.filter((p) => p.x * 1000 >= WINDOW_MS));
  const whole = trace.rows / trace.seconds;
  return {
    rows: trace.rows,
    pages: trace.pages,
    seconds: trace.seconds,
    wholeRowsPerSec: whole,
    steadyRowsPerSec: steady,
    wholeRatio: whole / BOUND_ROWS_PER_SEC,
    steadyRatio: steady / BOUND_ROWS_PER_SEC,
    upstreamRequests: trace.requests,
    status429: trace.status429,
  };
}

/**
 * Cold sockets and code take ~100 ms on the first requests, longer than the scaled-down budget slack
 * (33 ms, which stands for 1 s of a real minute): a few reads while the limit is still off warm them.
 */
async function warmUp(sb: BenchSandbox) {
  const gateway = sb.gateway();
  await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((page) => gateway.listCalls(BATCH, { page, limit: PAGE_SIZE }, { fresh: true })));
}

async function gatewayWalk(): Promise<Trace> {
  const sb = await startBenchSandbox();
  try {
    await warmUp(sb);
    sb.sandbox.resetStats();
    sb.sandbox.setRateLimit(LIMIT, WINDOW_MS);
    const gateway = sb.gateway({
      limitPerMinute: LIMIT,
      windowMs: WINDOW_MS,
      safetyMs: SAFETY_MS,
      maxRateLimitWaitMs: Math.round((65_000 * WINDOW_MS) / 60_000),
    });
    const stop = new AbortController();
    const points: Trace["points"] = [];
    let rows = 0;
    const started = performance.now();
    // An export's walk: bulk priority, the walker's default concurrency; stopped after PAGES pages.
    for await (const calls of walkBatch(gateway, BATCH, { priority: "bulk", signal: stop.signal })) {
      rows += calls.length;
      points.push({ x: (performance.now() - started) / 1000, y: rows });
      if (points.length >= PAGES) break;
    }
    const seconds = (performance.now() - started) / 1000;
    stop.abort(new Error("benchmark done")); // reads the walker had already queued
    await sleep(50);
    const stats = sb.sandbox.stats();
    return { points, rows, pages: points.length, seconds, status429: stats.byStatus["429"] ?? 0, requests: stats.requests };
  } finally {
    await sb.close();
  }
}

/** What the API reference's curl examples lead to: one page after another, no budget, obey 429s. */
async function naiveRead(): Promise<Trace> {
  const sb = await startBenchSandbox();
  try {
    await warmUp(sb);
    sb.sandbox.resetStats();
    sb.sandbox.setRateLimit(LIMIT, WINDOW_MS);
    const points: Trace["points"] = [];
    let rows = 0;
    let status429 = 0;
    const started = performance.now();
    for (let page = 1; page <= PAGES; page++) {
      for (;;) {
        const response = await fetch(`${sb.url}/v1/api/batch-calls/${BATCH}/calls?page=${page}&limit=${PAGE_SIZE}`, {
          headers: { "x-api-key": BENCH_KEY, "x-workspace-id": BENCH_WORKSPACE },
        });
        if (response.status === 429) {
          status429++;
          await response.arrayBuffer();
          await sleep(Number(response.headers.get("retry-after") ?? "1") * 1000);
          continue;
        }
        if (!response.ok) throw new Error(`naive reader: HTTP ${response.status} on page ${page}`);
        const body = (await response.json()) as { calls: unknown[] };
        rows += body.calls.length;
        points.push({ x: (performance.now() - started) / 1000, y: rows });
        break;
      }
    }
    const seconds = (performance.now() - started) / 1000;
    return { points, rows, pages: points.length, seconds, status429, requests: sb.sandbox.stats().requests };
  } finally {
    await sb.close();
  }
}

export async function runWalkBench(log: (line: string) => void): Promise<WalkResult> {
  log(`\n## 1. Unmirrored walk of ${BATCH}: ${PAGES} pages of ${PAGE_SIZE}`);
  log(
    `rate limit ${LIMIT} requests per ${WINDOW_MS} ms window on both sides (= ${(LIMIT * 60_000) / WINDOW_MS}/min), ` +
      `budget slack ${SAFETY_MS} ms; bound = ${BOUND_ROWS_PER_SEC} rows/s.`,
  );
  log(
    "The two readers run at the same time, each against its own sandbox (own limiter, own stats), " +
      "after 8 warm-up reads with the limit off (not counted).",
  );
  const [walkTrace, naiveTrace] = await Promise.all([gatewayWalk(), naiveRead()]);
  const walk = figures(walkTrace);
  const naive = figures(naiveTrace);
  const row = (name: string, f: ReaderFigures) => [
    name,
    f.pages,
    f.rows,
    fixed(f.seconds, 1),
    Math.round(f.steadyRowsPerSec),
    fixed(f.steadyRatio),
    Math.round(f.wholeRowsPerSec),
    fixed(f.wholeRatio),
    f.upstreamRequests,
    f.status429,
  ];
  log(
    table(
      ["reader", "pages", "rows", "seconds", "steady rows/s", "steady ratio", "whole rows/s", "whole ratio", "requests", "429s"],
      [row("walkBatch via WorkspaceGateway", walk), row("naive sequential fetch", naive)],
    ),
  );
  log(
    "steady = least-squares slope of rows over time after the first window (its initial burst excluded); " +
      "whole = all rows / time to the last page (burst included).",
  );
  return {
    limit: LIMIT,
    windowMs: WINDOW_MS,
    safetyMs: SAFETY_MS,
    boundRowsPerSec: BOUND_ROWS_PER_SEC,
    walk,
    naive,
    verdicts: [
      verdict("walk ratio (steady state)", walk.steadyRatio, "ratio", "min", 0.9),
      verdict("walk ratio (whole run)", walk.wholeRatio, "ratio", "min", 0.9),
      verdict("walk 429 responses", walk.status429, "count", "info", 0),
      verdict("naive reader ratio (steady state)", naive.steadyRatio, "ratio", "info", 0.9),
      verdict("naive reader ratio (whole run)", naive.wholeRatio, "ratio", "info", 0.9),
      verdict("naive reader 429 responses", naive.status429, "count", "info", 0),
    ],
  };
}
