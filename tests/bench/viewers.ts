import type { WorkspaceGateway } from "../../lib/trillet/gateway";
import { fixed, sleep, startBenchSandbox, table, verdict, type Verdict } from "./support";

// Benchmark 3: N people watching one running batch, each browser polling the batch page, all
// through one workspace gateway with the app's default cache TTLs. Upstream requests per minute
// should not grow with N: identical reads are coalesced and a read of a running batch is reused
// for its TTL, so the ceiling is one request per distinct read per TTL, whatever N.

const BATCH = "demo-live";
/** A browser asks again its interval after its last answer arrived, plus its own round trip and rendering. */
const CLIENT_JITTER_MS = 100;
const MEASURE_MS = 20_000;
const LIVE_TTL_MS = 5_000; // GATEWAY_CACHE_LIVE_MS default (lib/env.ts)
const FINISHED_TTL_MS = 300_000; // GATEWAY_CACHE_FINISHED_MS default
const UPSTREAM_LATENCY_MS = 100;

interface Cadence {
  label: string;
  pollMs: number;
  /** The reads one poll makes. */
  withStatus: boolean;
  viewers: readonly number[];
}

const CADENCES: readonly Cadence[] = [
  // The scenario: every 2 s, the calls page and the status.
  { label: "2 s: page + status", pollMs: 2_000, withStatus: true, viewers: [1, 10, 50] },
  // What the app's live page does today: REFRESH_MS = 5 000 in components/batches/live-batch.tsx,
  // one read of the calls page (getBatchPage) per refresh.
  { label: "5 s: page only, app today", pollMs: 5_000, withStatus: false, viewers: [1, 50] },
];

export interface ViewerCase {
  cadence: string;
  viewers: number;
  /** Counted by the sandbox over the measuring window. */
  upstreamRequests: number;
  perMinute: number;
  /** Per read: (requests - 1) / time from its first to its last request, summed; not quantised by the window. */
  perMinuteFromIntervals: number;
  polls: number;
  errors: number;
  finished: boolean;
}

export interface ViewersResult {
  liveTtlMs: number;
  upstreamLatencyMs: number;
  measureMs: number;
  cases: ViewerCase[];
  verdicts: Verdict[];
}

async function viewer(gateway: WorkspaceGateway, cadence: Cadence, until: number, tally: { polls: number; errors: number }) {
  await sleep(Math.random() * cadence.pollMs); // viewers opened the page at different moments
  while (performance.now() < until) {
    try {
      await Promise.all([
        gateway.listCalls(BATCH, { page: 1, limit: 20, status: "all" }, { priority: "interactive" }),
        cadence.withStatus ? gateway.getBatchStatus(BATCH, { priority: "interactive" }) : null,
      ]);
      tally.polls++;
    } catch {
      tally.errors++;
    }
    await sleep(cadence.pollMs + Math.random() * CLIENT_JITTER_MS);
  }
}

function rateFromIntervals(sent: { url: string; at: number }[]): number {
  const byUrl = new Map<string, { at: number }[]>();
  for (const s of sent) byUrl.set(s.url, [...(byUrl.get(s.url) ?? []), s]);
  let perMs = 0;
  for (const list of byUrl.values()) {
    if (list.length < 2) return NaN;
    perMs += (list.length - 1) / (list.at(-1)!.at - list[0]!.at);
  }
  return perMs * 60_000;
}

async function runCase(cadence: Cadence, viewers: number): Promise<ViewerCase> {
  const sb = await startBenchSandbox({ latencyMs: UPSTREAM_LATENCY_MS });
  try {
    // The app's defaults for TTLs and waiting; the budget is set out of reach so that it cannot
    // cap (and hide) the demand being measured.
    const sent: { url: string; at: number }[] = [];
    const gateway = sb.gateway({
      liveTtlMs: LIVE_TTL_MS,
      finishedTtlMs: FINISHED_TTL_MS,
      viewDeadlineMs: 8_000,
      fetch: (input, init) => {
        sent.push({ url: String(input), at: performance.now() });
        return fetch(input, init);
      },
    });
    // Count only once every viewer has joined: a fixed window, the same length for every case.
    const from = performance.now() + cadence.pollMs;
    const until = from + MEASURE_MS;
    const tally = { polls: 0, errors: 0 };
    const running = Array.from({ length: viewers }, () => viewer(gateway, cadence, until, tally));
    await sleep(from - performance.now());
    sb.sandbox.resetStats();
    tally.polls = 0;
    await sleep(until - performance.now());
    const upstreamRequests = sb.sandbox.stats().requests;
    await Promise.all(running);
    const summary = sb.sandbox.summary(BATCH)!;
    return {
      cadence: cadence.label,
      viewers,
      upstreamRequests,
      perMinute: (upstreamRequests * 60_000) / MEASURE_MS,
      perMinuteFromIntervals: rateFromIntervals(sent.filter((s) => s.at >= from && s.at <= until)),
      polls: tally.polls,
      errors: tally.errors,
      finished: summary.waiting === 0 && summary.active === 0,
    };
  } finally {
    await sb.close();
  }
}

export async function runViewersBench(log: (line: string) => void): Promise<ViewersResult> {
  log(`\n## 3. Viewers of one running batch (${BATCH})`);
  log(
    `each viewer opens the page at a random moment, then polls its interval after its last answer (+0-${CLIENT_JITTER_MS} ms ` +
      `client jitter); one gateway per case, live TTL ${LIVE_TTL_MS} ms, upstream latency ${UPSTREAM_LATENCY_MS} ms; counted ` +
      `over ${MEASURE_MS / 1000} s once every viewer has started. All cases run at the same time, each against its own sandbox.`,
  );
  const cases = await Promise.all(CADENCES.flatMap((cadence) => cadence.viewers.map((n) => runCase(cadence, n))));
  if (cases.some((c) => c.finished)) log("WARNING: the live batch finished during the run; its reads were cached as finished.");
  const base = (c: ViewerCase) => cases.find((o) => o.cadence === c.cadence && o.viewers === 1)!;
  log(
    table(
      [
        "poll",
        "viewers",
        "polls",
        "errors",
        "upstream requests",
        "per minute",
        "per minute (intervals)",
        "vs 1 viewer",
        "without cache+coalescing (per min)",
      ],
      cases.map((c) => [
        c.cadence,
        c.viewers,
        c.polls,
        c.errors,
        c.upstreamRequests,
        fixed(c.perMinute, 1),
        fixed(c.perMinuteFromIntervals, 1),
        fixed(c.perMinuteFromIntervals / base(c).perMinuteFromIntervals),
        fixed(c.polls * (CADENCES.find((k) => k.label === c.cadence)!.withStatus ? 2 : 1) * (60_000 / MEASURE_MS), 0),
      ]),
    ),
  );
  log(
    "upstream requests and per minute: the sandbox's count over the window (quantised: one request more or less per read " +
      `is ${fixed(60_000 / MEASURE_MS, 0)}/min); per minute (intervals): per read, (requests - 1) / time from its first to ` +
      "its last request, summed; the ratios use that one.",
  );
  const verdicts: Verdict[] = [];
  for (const cadence of CADENCES) {
    const reads = cadence.withStatus ? 2 : 1;
    const ceiling = (reads * 60_000) / LIVE_TTL_MS;
    const one = cases.find((c) => c.cadence === cadence.label && c.viewers === 1)!;
    const fifty = cases.find((c) => c.cadence === cadence.label && c.viewers === 50)!;
    log(
      `cache ceiling [${cadence.label}]: ${reads} distinct read(s) x 60 000 / ${LIVE_TTL_MS} ms = ${ceiling} per minute, whatever the number of viewers`,
    );
    const tag = `viewers [${cadence.label}]`;
    verdicts.push(
      verdict(
        `${tag}: 1 viewer upstream`,
        one.perMinuteFromIntervals,
        "req/min",
        "info",
        0,
        `sandbox count ${one.upstreamRequests} in ${MEASURE_MS / 1000} s`,
      ),
      verdict(
        `${tag}: 50 viewers upstream`,
        fifty.perMinuteFromIntervals,
        "req/min",
        "info",
        0,
        `sandbox count ${fifty.upstreamRequests} in ${MEASURE_MS / 1000} s`,
      ),
      // The measure: upstream requests the sandbox counted in the same window, 50 vs 1.
      verdict(
        `${tag}: 50 / 1 upstream requests`,
        fifty.upstreamRequests / one.upstreamRequests,
        "ratio",
        "max",
        1,
        `${fifty.upstreamRequests} vs ${one.upstreamRequests}; by request intervals: ${fixed(fifty.perMinuteFromIntervals / one.perMinuteFromIntervals)}`,
      ),
      verdict(`${tag}: 50 viewers within cache ceiling`, fifty.perMinute, "req/min", "max", ceiling),
    );
  }
  verdicts.push(
    verdict(
      "viewers: errors seen by viewers",
      cases.reduce((n, c) => n + c.errors, 0),
      "count",
      "max",
      0,
    ),
  );
  return { liveTtlMs: LIVE_TTL_MS, upstreamLatencyMs: UPSTREAM_LATENCY_MS, measureMs: MEASURE_MS, cases, verdicts };
}
