// `npm run bench`: the budgets of DESIGN.md measured against the Trillet sandbox, each printed with
// its ratio to the bound, then a summary and test-results/bench.json. Benchmarks report; they are not
// tests: a missed target prints FAIL and the exit code stays 0 (1 only when a benchmark could not run).
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import path from "node:path";

import { env } from "../../lib/env";
import { runCopyBench, type CopyBenchResult } from "./copy";
import { runExportWalkBench, type ExportWalkResult } from "./export";
import { runExportFreezeBench, type ExportFreezeResult } from "./export-freeze";
import { openPglite, openPostgres, runMirrorBench, type MirrorResult } from "./mirror";
import { summaryLine, type Verdict } from "./support";
import { runViewersBench, type ViewersResult } from "./viewers";
import { runWalkBench, type WalkResult } from "./walk";
import { runWallboardBench, type WallboardResult } from "./wallboard";

const log = (line: string) => console.log(line);

async function main() {
  const started = Date.now();
  // The benchmarks' Trillet is the sandbox on http://127.0.0.1 (lib/security/outbound-url.ts).
  env.ALLOW_PRIVATE_URLS = true;
  // Like tests/support/db.ts reads TEST_DATABASE_URL: a benchmark knob, not an app setting.
  const postgresUrl = process.env.BENCH_DATABASE_URL;
  const load = () =>
    loadavg()
      .map((n) => n.toFixed(2))
      .join(" ");
  const loadAtStart = load();
  log(
    `Batchboard benchmarks: ${cpus().length} CPUs, Node ${process.version}${postgresUrl ? ", PGlite and PostgreSQL" : ", PGlite (set BENCH_DATABASE_URL for PostgreSQL too)"}`,
  );
  // Timings are only as quiet as the machine: other work running alongside inflates every latency.
  log(`load average at start (1, 5, 15 min): ${loadAtStart}`);

  const verdicts: Verdict[] = [];
  const errors: { bench: string; error: string }[] = [];
  const report: {
    walk?: WalkResult;
    viewers?: ViewersResult;
    wallboard?: WallboardResult;
    export?: ExportWalkResult;
    exportFreeze?: ExportFreezeResult;
    copy?: CopyBenchResult;
    mirror: MirrorResult[];
  } = { mirror: [] };

  const attempt = async <T extends { verdicts: Verdict[] }>(bench: string, run: () => Promise<T>): Promise<T | undefined> => {
    try {
      const result = await run();
      verdicts.push(...result.verdicts);
      return result;
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      log(`\nFAIL: ${bench} could not run:\n${message}`);
      errors.push({ bench, error: message });
      return undefined;
    }
  };

  // `npm run bench -- mirror` runs only the benchmarks named (walk, viewers, wallboard, export, freeze, copy, mirror); default all.
  const only = process.argv.slice(2);
  const wanted = (name: string) => only.length === 0 || only.includes(name);

  // Timing-sensitive ones first, the database last (PGlite runs on this thread and would delay timers).
  if (wanted("walk")) report.walk = await attempt("walk", () => runWalkBench(log));
  if (wanted("viewers")) report.viewers = await attempt("viewers", () => runViewersBench(log));
  // End to end over HTTP against a production build (built into .next-bench/ when stale).
  if (wanted("wallboard")) report.wallboard = await attempt("wallboard", () => runWallboardBench(log));
  // The budget end to end: an unmirrored export under the same scaled limit as walk (timing-sensitive too).
  if (wanted("export")) report.export = await attempt("export", () => runExportWalkBench(log));
  // A first export plus the batch's freeze: upstream requests over pages (the export's walk fills the mirror).
  if (wanted("freeze")) report.exportFreeze = await attempt("freeze", () => runExportFreezeBench(log));
  // Fair copies under Trillet's real minute (about 5 minutes): small batches and a running one beside a big copy.
  if (wanted("copy")) report.copy = await attempt("copy", () => runCopyBench(log));
  const pglite = wanted("mirror") ? await attempt("mirror (PGlite)", () => runMirrorBench(openPglite, log)) : undefined;
  if (pglite) report.mirror.push(pglite);
  if (postgresUrl && wanted("mirror")) {
    const pg = await attempt("mirror (PostgreSQL)", () => runMirrorBench(() => openPostgres(postgresUrl), log));
    if (pg) report.mirror.push(pg);
  }

  const seconds = (Date.now() - started) / 1000;
  const width = Math.max(...verdicts.map((v) => v.name.length));
  const loadAtEnd = load();
  log(`\n## Summary (${seconds.toFixed(0)} s; load average at start ${loadAtStart}, at end ${loadAtEnd})`);
  for (const v of verdicts) log(summaryLine(v, width));
  for (const e of errors) log(`${e.bench.padEnd(width)}  FAIL  (did not run)`);
  const failed = verdicts.filter((v) => v.result === "FAIL").length + errors.length;
  log(failed ? `\n${failed} target(s) missed: see FAIL above.` : "\nAll targets met.");

  const out = path.join(process.cwd(), "test-results", "bench.json");
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(
    out,
    `${JSON.stringify({ startedAt: new Date(started).toISOString(), seconds, cpus: cpus().length, node: process.version, loadAverage: { start: loadAtStart, end: loadAtEnd }, summary: verdicts, errors, ...report }, null, 2)}\n`,
  );
  log(`Figures written to ${path.relative(process.cwd(), out)}`);
  process.exitCode = errors.length ? 1 : 0;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
