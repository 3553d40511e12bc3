import { parse } from "csv-parse/sync";

import { openDatabase, type Database } from "../../lib/db";
import { runExport } from "../../lib/reports/export";
import { createWorkspace, type WorkspaceInfo } from "../../lib/workspaces";
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

// Benchmark 1b: the budget itself, "export of an unmirrored batch: at least 90% of the rows per
// second the rate limit allows", measured end to end through runExport (the export route's body):
// the walk through the workspace gateway, the spool to a temp file, the CSV read like a browser.
// Same scaled-down limit as benchmark 1 (walk.ts), on both the sandbox and the gateway's budget.
//
// The sandbox's batches are fixed (150, 480 and 2,000 calls, and demo-large's 100,000: 1,000 pages,
// 100 s at the scaled bound, too long for this run), so the batch is demo-large's failed calls:
// a finished batch is walked with Trillet's own status filter, 100 rows per request like any walk,
// so the bound is the same, and it is 20,190 rows in 202 pages, about 20 s at the bound.

const BATCH = "demo-large";
const STATUS = "failed";
const LIMIT = 20;
const WINDOW_MS = 2_000;
// The budget's 1 s of slack per 60 s window, scaled like the window.
const SAFETY_MS = Math.round((1_000 * WINDOW_MS) / 60_000);
const PAGE_SIZE = 100;
/** Rows per second the rate limit allows: LIMIT full pages per window. */
const BOUND_ROWS_PER_SEC = (LIMIT * PAGE_SIZE) / (WINDOW_MS / 1000);
/** The export is cancelled (and the benchmark fails) past this: the run stays bounded. */
const DEADLINE_MS = 50_000;
const RSS_SAMPLE_MS = 50;

export interface ExportWalkResult {
  batchId: string;
  status: string;
  limit: number;
  windowMs: number;
  safetyMs: number;
  boundRowsPerSec: number;
  rows: number;
  pages: number;
  bytes: number;
  seconds: number;
  rowsPerSec: number;
  ratio: number;
  /** Diagnostic: the walk's own rate inside the export, after the first window's burst, over the bound. */
  steadyRatio: number;
  /** Upstream: from calling runExport to the last page's response (what the rate limit paces). */
  walkSeconds: number;
  /** After the last upstream response: reading the spool back and writing the CSV. */
  tailSeconds: number;
  /** The time a reader at exactly the limit needs for these pages (the first window's burst is free). */
  idealSeconds: number;
  upstreamRequests: number;
  status429: number;
  rssGrowthMb: number;
  verdicts: Verdict[];
}

/**
 * As walk.ts: cold sockets and code outlast the scaled budget slack, so a few reads warm them with
 * the limit off; and one small export (demo-finished, 2 pages) warms runExport's own path (the
 * mirror-status query, the spool, the CSV writer, the audit insert) on this database.
 */
async function warmUp(sb: BenchSandbox, db: Database, info: WorkspaceInfo) {
  const gateway = sb.gateway();
  await Promise.all(
    [1, 2, 3, 4, 5, 6, 7, 8].map((page) => gateway.listCalls(BATCH, { page, limit: PAGE_SIZE, status: STATUS }, { fresh: true })),
  );
  const response = await runExport({
    db,
    workspace: { ...info, gateway },
    actor: { id: null, email: "bench@example.com" },
    batchId: "demo-finished",
    params: new URLSearchParams({ format: "report" }),
  });
  if (!response.ok || !response.body) throw new Error(`warm-up export answered HTTP ${response.status}`);
  await response.arrayBuffer();
}

export async function runExportWalkBench(log: (line: string) => void): Promise<ExportWalkResult> {
  const sb = await startBenchSandbox();
  const handle = await openDatabase({});
  const deadline = new AbortController();
  const timers: { sampler?: ReturnType<typeof setInterval>; deadline?: ReturnType<typeof setTimeout> } = {};
  try {
    const expected = sb.sandbox.truth(BATCH)!.filter((call) => call.status === STATUS);
    const pagesExpected = Math.ceil(expected.length / PAGE_SIZE);
    const idealSeconds = (Math.floor((pagesExpected - 1) / LIMIT) * WINDOW_MS) / 1000;

    log(`\n## 1b. Unmirrored export of ${BATCH}, status=${STATUS}: ${expected.length} rows in ${pagesExpected} pages of ${PAGE_SIZE}`);
    log(
      `rate limit ${LIMIT} requests per ${WINDOW_MS} ms window on both sides (= ${(LIMIT * 60_000) / WINDOW_MS}/min), ` +
        `budget slack ${SAFETY_MS} ms; bound = ${BOUND_ROWS_PER_SEC} rows/s. runExport on an in-memory PGlite with no mirror, ` +
        "so the batch is walked upstream; after 8 reads and a 150-row export with the limit off (not counted).",
    );
    log(
      "The export spools the whole walk before its first CSV row, so the figure is end to end: all rows / " +
        "time from calling runExport to the last byte read. (No sandbox batch has 200-400 pages: demo-large's " +
        "failed calls stand in, walked with Trillet's status filter at 100 rows a request.)",
    );

    const db = handle.db;
    const info = await createWorkspace(db, {
      slug: "bench-export",
      name: "Bench export",
      baseUrl: sb.url,
      apiKey: BENCH_KEY,
      trilletWorkspaceId: BENCH_WORKSPACE,
    });
    await warmUp(sb, db, info);
    sb.sandbox.resetStats();
    sb.sandbox.setRateLimit(LIMIT, WINDOW_MS);
    // The time of each upstream response, to split the run into walk and tail (spool read, CSV),
    // and of each page (100 rows, the last one 90), for the walk's steady rate inside the export.
    let lastUpstreamAt = NaN;
    let started = NaN;
    const pagePoints: { x: number; y: number }[] = [];
    const timedFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      lastUpstreamAt = performance.now();
      if (response.ok) pagePoints.push({ x: (lastUpstreamAt - started) / 1000, y: (pagePoints.length + 1) * PAGE_SIZE });
      return response;
    };
    const gateway = sb.gateway({
      limitPerMinute: LIMIT,
      windowMs: WINDOW_MS,
      safetyMs: SAFETY_MS,
      maxRateLimitWaitMs: Math.round((65_000 * WINDOW_MS) / 60_000),
      fetch: timedFetch,
    });
    const workspace = { ...info, gateway };

    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sample = () => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss));
    // The walk and spool happen inside one read, so memory is sampled on a timer as well as per chunk.
    timers.sampler = setInterval(sample, RSS_SAMPLE_MS);
    timers.deadline = setTimeout(() => deadline.abort(new Error(`export still running after ${DEADLINE_MS} ms`)), DEADLINE_MS);

    started = performance.now();
    const response = await runExport({
      db,
      workspace,
      actor: { id: null, email: "bench@example.com" },
      batchId: BATCH,
      params: new URLSearchParams({ format: "report", status: STATUS }),
      signal: deadline.signal,
    });
    if (!response.ok || !response.body) throw new Error(`export answered HTTP ${response.status}: ${await response.text()}`);
    const source = response.headers.get("x-export-source");
    if (source !== "trillet") throw new Error(`x-export-source is ${source}, expected "trillet" (an unmirrored walk)`);
    const chunks: Uint8Array[] = [];
    let bytes = 0;
    const reader = response.body.getReader();
    const onDeadline = () => void reader.cancel(deadline.signal.reason).catch(() => {});
    deadline.signal.addEventListener("abort", onDeadline, { once: true });
    try {
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        chunks.push(chunk.value);
        bytes += chunk.value.byteLength;
        sample();
      }
    } finally {
      deadline.signal.removeEventListener("abort", onDeadline);
    }
    const seconds = (performance.now() - started) / 1000;
    clearInterval(timers.sampler);
    sample();
    if (deadline.signal.aborted) throw deadline.signal.reason;
    const walkSeconds = (lastUpstreamAt - started) / 1000;
    await sleep(50);
    const stats = sb.sandbox.stats();

    // Count rows by parsing the CSV (after the clock stopped): a short file is a failed run, not a figure.
    const text = Buffer.concat(chunks).toString("utf8");
    // csv-parse throws on a malformed file (and is not the writer's library).
    const [header, ...records] = parse(text) as string[][];
    const jobColumn = header?.indexOf("job_id") ?? -1;
    const statusColumn = header?.indexOf("status") ?? -1;
    if (jobColumn < 0 || statusColumn < 0) throw new Error(`unexpected CSV header: ${header?.join(",")}`);
    const rows = records.length;
    if (rows !== expected.length) throw new Error(`the export holds ${rows} rows, the sandbox has ${expected.length} ${STATUS} calls`);
    const jobIds = new Set(records.map((r) => r[jobColumn]));
    const missing = expected.filter((call) => !jobIds.has(call.jobId)).length;
    if (missing || jobIds.size !== rows)
      throw new Error(`the export misses ${missing} of the sandbox's ${STATUS} calls (${jobIds.size} distinct of ${rows})`);
    if (records.some((r) => r[statusColumn] !== STATUS)) throw new Error(`the export holds calls that are not ${STATUS}`);

    const rowsPerSec = rows / seconds;
    // Diagnostic: the walk's steady rate inside the export (slope after the first window's burst).
    const steadyRatio = slope(pagePoints.filter((p) => p.x * 1000 >= WINDOW_MS)) / BOUND_ROWS_PER_SEC;
    const ratio = rowsPerSec / BOUND_ROWS_PER_SEC;
    const status429 = stats.byStatus["429"] ?? 0;
    const rssGrowthMb = (rssPeak - rssBefore) / 1e6;
    log(
      table(
        [
          "export",
          "rows",
          "pages",
          "MB",
          "seconds",
          "walk s",
          "tail s",
          "rows/s",
          "ratio",
          "walk steady ratio",
          "requests",
          "429s",
          "peak RSS growth MB",
        ],
        [
          [
            `report CSV, status=${STATUS}`,
            rows,
            pagesExpected,
            fixed(bytes / 1e6, 1),
            fixed(seconds, 1),
            fixed(walkSeconds, 1),
            fixed(seconds - walkSeconds, 2),
            Math.round(rowsPerSec),
            fixed(ratio),
            fixed(steadyRatio),
            stats.requests,
            status429,
            fixed(rssGrowthMb, 1),
          ],
        ],
      ),
    );
    log(
      `walk s = runExport called to the last upstream response; tail s = the rest (spool read back, CSV written and read); ` +
        "walk steady ratio = slope of pages over time after the first window, as in benchmark 1 (diagnostic). " +
        `A reader at exactly the limit needs ${fixed(idealSeconds, 1)} s for ${pagesExpected} pages (the first window's burst is free: ` +
        `whole-run ratio ${fixed(expected.length / idealSeconds / BOUND_ROWS_PER_SEC)}). RSS growth includes the ` +
        `${fixed(bytes / 1e6, 1)} MB of CSV kept here to parse.`,
    );
    return {
      batchId: BATCH,
      status: STATUS,
      limit: LIMIT,
      windowMs: WINDOW_MS,
      safetyMs: SAFETY_MS,
      boundRowsPerSec: BOUND_ROWS_PER_SEC,
      rows,
      pages: pagesExpected,
      bytes,
      seconds,
      rowsPerSec,
      ratio,
      steadyRatio,
      walkSeconds,
      tailSeconds: seconds - walkSeconds,
      idealSeconds,
      upstreamRequests: stats.requests,
      status429,
      rssGrowthMb,
      verdicts: [
        verdict("unmirrored export ratio (whole run)", ratio, "ratio", "min", 0.9, `${rows} rows in ${fixed(seconds, 1)} s`),
        verdict("unmirrored export, walk steady ratio", steadyRatio, "ratio", "info", 0.9),
        verdict("unmirrored export 429 responses", status429, "count", "info", 0),
        verdict(
          "unmirrored export peak RSS growth (MB)",
          Math.round(rssGrowthMb),
          "count",
          "info",
          0,
          `incl. ${fixed(bytes / 1e6, 1)} MB CSV held`,
        ),
      ],
    };
  } finally {
    clearInterval(timers.sampler);
    clearTimeout(timers.deadline);
    deadline.abort(new Error("benchmark done"));
    await handle.close();
    await sb.close();
  }
}
