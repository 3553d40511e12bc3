import { and, eq } from "drizzle-orm";

import { copyProgressText } from "@/components/batches/copy-progress-text";
import type { Database } from "@/lib/db";
import { mirrorCalls } from "@/lib/db/schema";
import { getMirrorStatus, type MirrorStatus } from "@/lib/mirror/status";
import { requestSync } from "@/lib/mirror/sync";
import { startMirrorRunners, type SliceEvent } from "@/lib/mirror/worker";
import type { Sandbox } from "@/lib/sandbox";
import type { WorkspaceGateway } from "@/lib/trillet/gateway";

// The issue-12 scenario, shared by tests/integration/db-mirror-schedule.test.ts (time scaled down)
// and tests/bench/copy.ts (Trillet's real minute): a big copy under way, then two small finished
// batches and a running one opened, every copy watched from the database as a viewer would.

export const BIG = "demo-large";
export const SMALL = ["demo-finished", "demo-failing"] as const;
export const LIVE = "demo-live";

const RANK: Record<string, number> = { waiting: 0, active: 1, completed: 2, failed: 2 };

/**
 * How far behind Trillet a copy of a running batch is. Calls only move forward (waiting, active,
 * finished), so a copy is "as of s" when every call in it has got at least as far as it had in
 * Trillet at s. Its lag at t is t minus the latest such s among the sampled truths.
 */
export class LagMeter {
  readonly #index = new Map<string, number>();
  readonly #history: { at: number; requests: number; ranks: Uint8Array }[] = [];

  constructor(
    private readonly sandbox: Sandbox,
    private readonly batchId: string,
  ) {
    this.sandbox.truth(batchId)!.forEach((call, i) => this.#index.set(call.jobId, i));
  }

  sample(at = Date.now()): void {
    const calls = this.sandbox.truth(this.batchId)!;
    this.#history.push({ at, requests: this.sandbox.stats().requests, ranks: Uint8Array.from(calls, (c) => RANK[c.status] ?? 2) });
  }

  /**
   * How far the copy trails Trillet at `now` (from the first sample if it trails them all): in
   * milliseconds, and in upstream requests answered since (the budget's own clock, which a slow
   * machine does not stretch).
   */
  lag(copy: Map<string, string>, now = Date.now()): { ms: number; requests: number } {
    const ranks = new Int8Array(this.#index.size).fill(-1);
    for (const [jobId, status] of copy) {
      const i = this.#index.get(jobId);
      if (i !== undefined) ranks[i] = RANK[status] ?? 2;
    }
    for (let h = this.#history.length - 1; h >= 0; h--) {
      const truth = this.#history[h]!;
      let dominates = true;
      for (let i = 0; i < ranks.length && dominates; i++) dominates = ranks[i]! >= truth.ranks[i]!;
      if (dominates) return { ms: now - truth.at, requests: this.sandbox.stats().requests - truth.requests };
    }
    const first = this.#history[0];
    return { ms: now - (first?.at ?? now), requests: this.sandbox.stats().requests - (first?.requests ?? 0) };
  }
}

export interface ScenarioOptions {
  db: Database;
  sandbox: Sandbox;
  gateway: WorkspaceGateway;
  workspaceId: string;
  /** Trillet's minute, scaled (60 requests per window); the live batch runs 60 000 / windowMs times as fast. */
  windowMs: number;
  /** Open the others once the big copy has this many pages. */
  openAfterBigPages: number;
  /** Keep watching this long after the small batches froze and the running batch was first copied. */
  watchMs: number;
  /** Go on until the big copy is frozen (to time it). */
  untilBigFrozen?: boolean;
  /** Open only the big batch (its copy alone, for the ratio). */
  bigAlone?: boolean;
  /** One viewer reading the running batch's first page every this often (interactive, also beside a copy alone), or none. */
  viewerEveryMs?: number;
  /** How often the watcher looks (default a second of Trillet time); each look reads the database too. */
  sampleEveryMs?: number;
  log?: (line: string) => void;
}

export interface ScenarioResult {
  /** Per small batch, from being opened: time and upstream requests (all batches) until frozen. */
  small: Record<string, { frozenAfterMs: number; requestsUntilFrozen: number }>;
  /** Lag of the running batch's copy once first copied: the largest seen (time, and upstream requests), and how many samples. */
  live: { maxLagMs: number; maxLagRequests: number; samples: number; firstCopiedAfterMs: number | null };
  big: { pagesAtOpen: number; pagesWhenSmallFrozen: number; frozenAfterMs: number | null; pages: number };
  /** Every change of progress seen, per batch, in the order seen (pass, pages, what the UI said). */
  progress: Record<string, { pass: number; pagesDone: number; reason: string | null; text: string }[]>;
  slices: SliceEvent[];
  elapsedMs: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function copyOf(db: Database, workspaceId: string, batchId: string): Promise<Map<string, string>> {
  const rows = await db
    .select({ jobId: mirrorCalls.jobId, status: mirrorCalls.status })
    .from(mirrorCalls)
    .where(and(eq(mirrorCalls.workspaceId, workspaceId), eq(mirrorCalls.batchId, batchId)));
  return new Map(rows.map((r) => [r.jobId, r.status]));
}

/** Runs the scenario with this process's runners (lib/mirror/worker.ts) on a scaled clock. */
export async function runCopyScenario(o: ScenarioOptions): Promise<ScenarioResult> {
  const { db, sandbox, workspaceId, windowMs } = o;
  const log = o.log ?? (() => {});
  const scale = windowMs / 60_000;
  sandbox.setRateLimit(60, windowMs);
  sandbox.setLiveSpeed(1 / scale);
  sandbox.restartLive(90);
  const slices: SliceEvent[] = [];
  const runners = startMirrorRunners({
    instance: "scenario",
    database: async () => db,
    gatewayFor: async () => o.gateway,
    sync: { limitPerMinute: 60, windowMs, minSpacingMs: 15_000 * scale, heartbeatMs: Math.max(200, 10_000 * scale) },
    slice: { maxPages: 10, maxMs: 15_000 * scale },
    pollMs: Math.max(50, 2_000 * scale),
    onSlice: (event) => slices.push(event),
  });
  const meter = new LagMeter(sandbox, LIVE);
  const opened = Date.now();
  const progress: ScenarioResult["progress"] = {};
  const statuses = new Map<string, MirrorStatus | null>();
  const watch = async (batchId: string) => {
    const status = await getMirrorStatus(db, workspaceId, batchId);
    statuses.set(batchId, status);
    if (!status) return;
    const seen = (progress[batchId] ??= []);
    const entry = { pass: status.pass, pagesDone: status.pagesDone, reason: status.passReason, text: copyProgressText(status) };
    const last = seen.at(-1);
    if (!last || last.pass !== entry.pass || last.pagesDone !== entry.pagesDone || last.text !== entry.text) seen.push(entry);
  };
  let viewer: ReturnType<typeof setInterval> | undefined;
  const result: ScenarioResult = {
    small: {},
    live: { maxLagMs: 0, maxLagRequests: 0, samples: 0, firstCopiedAfterMs: null },
    big: { pagesAtOpen: 0, pagesWhenSmallFrozen: 0, frozenAfterMs: null, pages: 0 },
    progress,
    slices,
    elapsedMs: 0,
  };
  try {
    await requestSync(db, workspaceId, BIG);
    for (;;) {
      await watch(BIG);
      if ((statuses.get(BIG)?.pagesDone ?? 0) >= o.openAfterBigPages || o.bigAlone) break;
      await sleep(50);
    }
    const others = o.bigAlone ? [] : [...SMALL, LIVE];
    result.big.pagesAtOpen = statuses.get(BIG)?.pagesDone ?? 0;
    const openedAt = Date.now();
    const requestsAtOpen = sandbox.stats().requests;
    for (const batchId of others) await requestSync(db, workspaceId, batchId);
    if (o.viewerEveryMs) {
      viewer = setInterval(() => {
        o.gateway.listCalls(LIVE, { page: 1, limit: 20, status: "all" }, { priority: "interactive" }).catch(() => {});
      }, o.viewerEveryMs);
    }
    log(`  opened ${others.join(", ") || "nothing else"} with the big copy at page ${result.big.pagesAtOpen}`);
    let watchUntil = Infinity;
    let lastLog = Date.now();
    while (Date.now() < watchUntil || (o.untilBigFrozen && result.big.frozenAfterMs === null)) {
      meter.sample();
      for (const batchId of [BIG, ...others]) await watch(batchId);
      const now = Date.now();
      for (const batchId of SMALL) {
        if (others.includes(batchId) && !result.small[batchId] && statuses.get(batchId)?.frozen) {
          result.small[batchId] = { frozenAfterMs: now - openedAt, requestsUntilFrozen: sandbox.stats().requests - requestsAtOpen };
          log(`  ${batchId} frozen ${((now - openedAt) / 1000 / scale).toFixed(1)} s (Trillet time) after it was opened`);
        }
      }
      if (result.big.frozenAfterMs === null && statuses.get(BIG)?.frozen) result.big.frozenAfterMs = now - opened;
      const live = statuses.get(LIVE);
      if (live?.copiedAt) {
        result.live.firstCopiedAfterMs ??= now - openedAt;
        const lag = meter.lag(await copyOf(db, workspaceId, LIVE));
        result.live.maxLagMs = Math.max(result.live.maxLagMs, lag.ms);
        result.live.maxLagRequests = Math.max(result.live.maxLagRequests, lag.requests);
        result.live.samples++;
      }
      const smallDone = SMALL.every((b) => !others.includes(b) || result.small[b]);
      const liveDone = !others.includes(LIVE) || result.live.firstCopiedAfterMs !== null;
      if (watchUntil === Infinity && smallDone && liveDone) watchUntil = Date.now() + o.watchMs;
      if (Date.now() - lastLog > 30_000) {
        lastLog = Date.now();
        const big = statuses.get(BIG);
        log(
          `  ${((Date.now() - opened) / 1000).toFixed(0)} s: big copy ${big?.pagesDone ?? 0}/${big?.passPages ?? "?"} pages, running batch's lag at most ${(result.live.maxLagMs / 1000 / scale).toFixed(0)} s (Trillet time)`,
        );
      }
      if (result.small[SMALL[SMALL.length - 1]!] && !result.big.pagesWhenSmallFrozen)
        result.big.pagesWhenSmallFrozen = statuses.get(BIG)?.pagesDone ?? 0;
      await sleep(o.sampleEveryMs ?? Math.max(20, 1_000 * scale));
    }
    result.big.pages = statuses.get(BIG)?.pagesDone ?? 0;
  } finally {
    if (viewer) clearInterval(viewer);
    await runners.stop();
    result.elapsedMs = Date.now() - opened;
  }
  return result;
}

/** Places where a copy's progress went back within one pass, or a new pass began unannounced. */
export function progressViolations(progress: ScenarioResult["progress"]): string[] {
  const problems: string[] = [];
  for (const [batchId, seen] of Object.entries(progress)) {
    for (let i = 1; i < seen.length; i++) {
      const [a, b] = [seen[i - 1]!, seen[i]!];
      if (b.pass < a.pass) problems.push(`${batchId}: pass ${a.pass} -> ${b.pass}`);
      if (b.pass === a.pass && b.pagesDone < a.pagesDone)
        problems.push(`${batchId}: pass ${a.pass} went from ${a.pagesDone} to ${b.pagesDone} pages`);
      if (b.pass > a.pass && b.reason === null) problems.push(`${batchId}: pass ${b.pass} started without a reason`);
    }
  }
  return problems;
}
