import { parse } from "csv-parse/sync";
import { and, eq } from "drizzle-orm";

import { getBatchPage } from "../../lib/batches/batch-page";
import { parseBatchView } from "../../lib/batches/search-params";
import type { Database } from "../../lib/db";
import { mirrorSyncs } from "../../lib/db/schema";
import { mirrorSummary } from "../../lib/mirror/store";
import { claimNextSync, runSync } from "../../lib/mirror/sync";
import { runExport } from "../../lib/reports/export";
import type { WorkspaceGateway } from "../../lib/trillet/gateway";
import { createWorkspace, type Workspace } from "../../lib/workspaces";
import { openPglite } from "./mirror";
import { BENCH_KEY, BENCH_WORKSPACE, fixed, sleep, startBenchSandbox, table, verdict, type BenchSandbox, type Verdict } from "./support";

// Benchmark 1c: "a first export of an unmirrored batch plus its freeze: about one walk of upstream
// requests". A user opens a finished batch (a page view, which asks the mirror for a copy), clicks
// "All calls: report" and the mirror runner does whatever is left until the batch is frozen. The
// export's walk reads the same status=all pages of 100 as the mirror's copy would, so it fills the
// mirror and freezes it; the figure is every upstream request of the sandbox from the page view to
// the frozen mirror (runner idle), over the batch's page count. Target: at most 1.05.
//
// Two orders of events: (a) the export starts before the runner's next poll claims the job;
// (b) the runner is already copying when the export starts (the export takes the job over, and a
// runner that re-checks its ownership stops; one that does not reads the batch a second time).

const BATCH = "demo-large"; // 100,000 finished calls: 1,000 pages
const PAGE_SIZE = 100;
// Trillet's limit scaled (as in benchmark 1b) so 1,000 pages take seconds, not 17 minutes.
const LIMIT = 100;
const WINDOW_MS = 1_000;
const SAFETY_MS = Math.round((1_000 * WINDOW_MS) / 60_000);
/** The runner's poll when idle (the worker's default is 2 s; scaled down with the window). */
const POLL_MS = 200;
/** Pages the runner has copied before the export starts, in order (b). */
const RUNNER_HEAD_START_PAGES = 20;
const DEADLINE_MS = 240_000;
const TARGET = 1.05;

export interface ExportFreezeCase {
  order: string;
  pages: number;
  upstreamRequests: number;
  status429: number;
  ratio: number;
  seconds: number;
  exportRows: number;
  frozenBy: string;
  runnerRuns: number;
  /** How each of the runner's runs ended (diagnostic). */
  runnerOutcomes: string[];
}

export interface ExportFreezeResult {
  cases: ExportFreezeCase[];
  verdicts: Verdict[];
}

/** The mirror's runner as the worker runs it (claim, run, poll when idle), against the bench database. */
function startRunner(db: Database, gateway: WorkspaceGateway, owner: string) {
  const controller = new AbortController();
  let busy = false;
  let runs = 0;
  const outcomes: string[] = [];
  const done = (async () => {
    while (!controller.signal.aborted) {
      const job = await claimNextSync(db, owner).catch(() => null);
      if (!job) {
        await sleep(POLL_MS);
        continue;
      }
      busy = true;
      runs++;
      // The runner's budget in requests per real minute (the scaled window is WINDOW_MS).
      const outcome = await runSync(db, gateway, job, { limitPerMinute: (LIMIT * 60_000) / WINDOW_MS, signal: controller.signal }).catch(
        (error: unknown) => ({ state: "threw", error: error instanceof Error ? error.message : String(error) }),
      );
      outcomes.push(`${outcome.state}${outcome.error ? `: ${outcome.error}` : ""}`);
      busy = false;
    }
  })();
  return {
    busy: () => busy,
    runs: () => runs,
    outcomes: () => outcomes,
    async stop() {
      controller.abort(new Error("bench done"));
      await done.catch(() => {});
    },
  };
}

async function jobOf(db: Database, workspaceId: string) {
  const [job] = await db
    .select()
    .from(mirrorSyncs)
    .where(and(eq(mirrorSyncs.workspaceId, workspaceId), eq(mirrorSyncs.batchId, BATCH)));
  return job ?? null;
}

async function runCase(sb: BenchSandbox, db: Database, order: "a" | "b", log: (line: string) => void): Promise<ExportFreezeCase> {
  const info = await createWorkspace(db, {
    slug: `bench-freeze-${order}`,
    name: `Bench freeze ${order}`,
    baseUrl: sb.url,
    apiKey: BENCH_KEY,
    trilletWorkspaceId: BENCH_WORKSPACE,
  });
  const gateway = sb.gateway({ limitPerMinute: LIMIT, windowMs: WINDOW_MS, safetyMs: SAFETY_MS, maxRateLimitWaitMs: 5 * WINDOW_MS });
  const workspace: Workspace = { ...info, gateway };
  const pages = Math.ceil(sb.sandbox.truth(BATCH)!.length / PAGE_SIZE);
  sb.sandbox.resetStats();
  const started = performance.now();
  const deadline = started + DEADLINE_MS;
  let runner: ReturnType<typeof startRunner> | null = null;
  try {
    // Open the batch: one page view (which tracks the batch and asks for a mirror copy).
    await getBatchPage(db, workspace, BATCH, parseBatchView({}), null);
    if (order === "b") {
      runner = startRunner(db, gateway, "bench-runner");
      while (((await jobOf(db, workspace.id))?.pagesDone ?? 0) < RUNNER_HEAD_START_PAGES) {
        if (performance.now() > deadline) throw new Error("the runner never started copying");
        await sleep(20);
      }
    }
    // Export all calls, read like a browser reads the download.
    const response = await runExport({
      db,
      workspace,
      actor: { id: null, email: "bench@example.com" },
      batchId: BATCH,
      params: new URLSearchParams(),
    });
    if (!response.ok || !response.body) throw new Error(`export answered HTTP ${response.status}: ${await response.text()}`);
    runner ??= startRunner(db, gateway, "bench-runner");
    // csv-parse (not the writer's library): each job exactly once, as many as the batch holds.
    const [header, ...records] = parse(await response.text()) as string[][];
    const jobIds = new Set(records.map((r) => r[header!.indexOf("job_id")]));
    const exportRows = records.length;
    if (exportRows !== pages * PAGE_SIZE || jobIds.size !== exportRows) {
      throw new Error(`the export holds ${exportRows} rows (${jobIds.size} jobs), the batch ${pages * PAGE_SIZE}`);
    }
    // Wait for the freeze, and for the runner to be idle (a runner still copying costs requests too).
    for (;;) {
      const job = await jobOf(db, workspace.id);
      if (job?.frozen && !runner.busy()) break;
      if (performance.now() > deadline) throw new Error(`not frozen after ${DEADLINE_MS} ms (job ${job?.state}, owner ${job?.owner})`);
      await sleep(50);
    }
    await sleep(3 * POLL_MS); // nothing more is claimed
    const seconds = (performance.now() - started) / 1000;
    const stats = sb.sandbox.stats();
    const job = (await jobOf(db, workspace.id))!;
    const mirrored = await mirrorSummary(db, workspace.id, BATCH);
    if (mirrored.total !== pages * PAGE_SIZE) throw new Error(`the frozen mirror holds ${mirrored.total} calls`);
    const result: ExportFreezeCase = {
      order:
        order === "a"
          ? "(a) export before the runner's claim"
          : `(b) runner copying (${RUNNER_HEAD_START_PAGES} pages) when the export starts`,
      pages,
      upstreamRequests: stats.requests,
      status429: stats.byStatus["429"] ?? 0,
      ratio: stats.requests / pages,
      seconds,
      exportRows,
      frozenBy: job.owner?.startsWith("export:") ? "the export's walk" : (job.owner ?? "?"),
      runnerRuns: runner.runs(),
      runnerOutcomes: runner.outcomes(),
    };
    log(
      `  ${result.order}: ${result.upstreamRequests} requests for ${pages} pages in ${fixed(seconds, 1)} s, frozen by ${result.frozenBy}` +
        (result.runnerOutcomes.length ? `; the runner's runs ended: ${result.runnerOutcomes.join("; ")}` : ""),
    );
    return result;
  } finally {
    await runner?.stop();
  }
}

export async function runExportFreezeBench(log: (line: string) => void): Promise<ExportFreezeResult> {
  const sb = await startBenchSandbox();
  const database = await openPglite();
  try {
    log(`\n## 1c. Open, export all, wait for freeze: ${BATCH} (${PAGE_SIZE} calls a page), ${database.label}`);
    log(
      `rate limit ${LIMIT} requests per ${WINDOW_MS} ms window on the sandbox and the gateway (Trillet's minute scaled); ` +
        `the mirror runner claims every ${POLL_MS} ms when idle. Ratio = every upstream request from the page view to the ` +
        `frozen mirror with the runner idle, over the page count (target <= ${TARGET}).`,
    );
    sb.sandbox.setRateLimit(LIMIT, WINDOW_MS);
    const cases: ExportFreezeCase[] = [];
    for (const order of ["a", "b"] as const) cases.push(await runCase(sb, database.handle.db, order, log));
    log(
      table(
        ["order of events", "pages", "upstream requests", "ratio", "429s", "seconds", "frozen by", "runner runs"],
        cases.map((c) => [
          c.order,
          c.pages,
          c.upstreamRequests,
          fixed(c.ratio, 3),
          c.status429,
          fixed(c.seconds, 1),
          c.frozenBy,
          c.runnerRuns,
        ]),
      ),
    );
    return {
      cases,
      verdicts: cases.map((c) =>
        verdict(`open + export all + freeze ${c.order.slice(0, 3)} (requests / pages)`, c.ratio, "ratio", "max", TARGET, c.order),
      ),
    };
  } finally {
    await database.dispose();
    await sb.close();
  }
}
