import "server-only";

import { buildRow, jobIdFor, type RowProfile } from "./data";
import { hashString } from "./random";
import { formulaSchedule, lineSchedule, type OutcomeProfile, type Schedule } from "./schedule";
import { CALL_STATUSES, takeSnapshot, type Snapshot } from "./snapshot";
import { SANDBOX_BATCHES, type SandboxCall } from "./types";

// The catalogue of demo batches. Finished batches use fixed past timestamps and are computed
// once; the live batch maps a virtual clock onto a precomputed dialling schedule.

const LINES = 25;

const COMMON_REASONS = [
  ["Number busy", 40], ["No answer", 30], ["Voicemail detected", 15], ["Invalid number", 8],
  ["Call dropped", 5], ["Network error", 2],
] as const;

// A long tail plus spellings that differ only in case, spaces or punctuation, as free-text
// reasons from carriers do; grouping must normalise them.
const FAILING_REASONS = [
  ["Number busy", 30], ["No answer", 20], ["Voicemail detected", 12], ["Invalid number", 8],
  ["Carrier rejected", 6], ["Call dropped", 5], ["Do not call list", 4], ["Network error", 3],
  ["Timeout waiting for answer", 2.5], ["number busy", 2], ["Number busy.", 2], [" Number busy ", 2],
  ["NO ANSWER", 1.5], ["No answer ", 1.5], ["SIP 486: Busy Here", 1],
] as const;

const STANDARD: OutcomeProfile = { failRate: 0.2, reasons: COMMON_REASONS, wholeSeconds: false };

export interface BatchView {
  snapshot: Snapshot;
  /** Epoch ms of the batch start; call times are this plus schedule offsets. */
  epoch: number;
  /** The moment the view describes (virtual for the live batch). */
  now: number;
  call(index: number): SandboxCall;
}

export interface Batch {
  readonly id: string;
  readonly size: number;
  view(realNow: number): BatchView;
}

function makeCall(seed: number, schedule: Schedule, rows: RowProfile, snapshot: Snapshot, epoch: number, index: number): SandboxCall {
  const status = CALL_STATUSES[snapshot.statuses[index] ?? 0] ?? "waiting";
  const jobId = jobIdFor(seed, index);
  const { phone, metadata } = buildRow(seed, index, rows);
  if (status === "waiting") return { jobId, status, phone_number: phone, metadata };
  const timing = schedule.at(index);
  const finished = status === "completed" || status === "failed";
  // Optional fields are omitted, never undefined, and keys follow the reference's order.
  return {
    jobId,
    status,
    phone_number: phone,
    startTime: epoch + timing.start,
    ...(finished ? { endTime: epoch + timing.end } : {}),
    ...(status === "completed" ? { duration: (timing.end - timing.start) / 1000 } : {}),
    ...(status === "failed" && timing.error !== undefined ? { error: timing.error } : {}),
    metadata,
  };
}

function finishedBatch(id: string, size: number, epoch: number, build: (seed: number) => Schedule, rows: RowProfile = {}): Batch {
  const seed = hashString(id);
  let cached: { schedule: Schedule; snapshot: Snapshot } | undefined;
  return {
    id,
    size,
    view(realNow) {
      // Built on first use so creating a sandbox stays instant.
      if (!cached) {
        const schedule = build(seed);
        cached = { schedule, snapshot: takeSnapshot(schedule, Number.POSITIVE_INFINITY) };
      }
      const { schedule, snapshot } = cached;
      return { snapshot, epoch, now: realNow, call: (index) => makeCall(seed, schedule, rows, snapshot, epoch, index) };
    },
  };
}

export interface LiveClock {
  /** Virtual ms since the live batch started. */
  elapsed(realNow: number): number;
  epoch(): number;
  setSpeed(speed: number, realNow: number): void;
  restart(secondsAgo: number, realNow: number): void;
}

export function createLiveClock(speed: number, secondsAgo: number, realNow: number): LiveClock {
  let anchorReal = realNow;
  let anchorElapsed = secondsAgo * 1000;
  let epoch = realNow - anchorElapsed;
  let rate = speed;
  const elapsed = (now: number) => Math.floor(anchorElapsed + (now - anchorReal) * rate);
  return {
    elapsed,
    epoch: () => epoch,
    setSpeed(next, now) {
      // Re-anchor at the current virtual time so changing speed never jumps the clock.
      anchorElapsed = elapsed(now);
      anchorReal = now;
      rate = next;
    },
    restart(ago, now) {
      anchorReal = now;
      anchorElapsed = ago * 1000;
      epoch = now - anchorElapsed;
    },
  };
}

function liveBatch(clock: LiveClock, size: number): Batch {
  const id = SANDBOX_BATCHES.live;
  const seed = hashString(id);
  const schedule = lineSchedule(seed, size, LINES, STANDARD);
  let cached: Snapshot | undefined;
  return {
    id,
    size: schedule.size,
    view(realNow) {
      const elapsed = clock.elapsed(realNow);
      if (cached?.elapsed !== elapsed) cached = takeSnapshot(schedule, elapsed);
      const snapshot = cached;
      const epoch = clock.epoch();
      return { snapshot, epoch, now: epoch + elapsed, call: (index) => makeCall(seed, schedule, {}, snapshot, epoch, index) };
    },
  };
}

export interface Catalogue {
  ids: readonly string[];
  get(id: string): Batch | undefined;
  /** Adds a finished batch (control route, tests): false when the id is taken. */
  addFinished(id: string, size: number, failRate: number): boolean;
  clock: LiveClock;
}

/** Calls in the live batch unless a sandbox asks for another size (benchmarks of big live batches). */
export const DEFAULT_LIVE_SIZE = 2_000;

export function createCatalogue(clock: LiveClock, liveSize = DEFAULT_LIVE_SIZE): Catalogue {
  const batches: Batch[] = [
    finishedBatch(SANDBOX_BATCHES.finished, 150, Date.UTC(2026, 10, 20, 9, 0, 0), (seed) =>
      lineSchedule(seed, 150, LINES, { ...STANDARD, wholeSeconds: true }),
    ),
    liveBatch(clock, liveSize),
    finishedBatch(SANDBOX_BATCHES.large, 100_000, Date.UTC(2026, 10, 18, 8, 0, 0), (seed) =>
      formulaSchedule(seed, 100_000, 1_800, STANDARD),
    ),
    finishedBatch(
      SANDBOX_BATCHES.failing,
      480,
      Date.UTC(2026, 10, 21, 14, 30, 0),
      (seed) => lineSchedule(seed, 480, LINES, { failRate: 0.85, reasons: FAILING_REASONS, wholeSeconds: true }),
      { lateColumn: { key: "callback_window", fromIndex: 300, values: ["09:00-12:00", "13:00-17:00", "any time", "evenings, weekdays"] } },
    ),
    finishedBatch(SANDBOX_BATCHES.empty, 0, Date.UTC(2026, 10, 22, 10, 0, 0), (seed) => lineSchedule(seed, 0, LINES, STANDARD)),
  ];
  const byId = new Map(batches.map((batch) => [batch.id, batch]));
  return {
    ids: batches.map((batch) => batch.id),
    get: (id) => byId.get(id),
    addFinished(id, size, failRate) {
      if (byId.has(id)) return false;
      // Like demo-finished, seeded by its id: the same id always holds the same calls.
      byId.set(id, finishedBatch(id, size, Date.UTC(2026, 10, 20, 9, 0, 0), (seed) => lineSchedule(seed, size, LINES, { ...STANDARD, failRate, wholeSeconds: true })));
      return true;
    },
    clock,
  };
}
