import "server-only";

import { buildRow, jobIdFor, type CallRow, type RowProfile } from "./data";
import { hashString } from "./random";
import { formulaSchedule, lineSchedule, type OutcomeProfile, type Schedule } from "./schedule";
import { CALL_STATUSES, takeSnapshot, type Snapshot } from "./snapshot";
import { SANDBOX_BATCHES, type SandboxCall } from "./types";

// The catalogue of demo batches. Finished batches use fixed past timestamps and are computed
// once; the live batch maps a virtual clock onto a precomputed dialling schedule.

const LINES = 25;

const COMMON_REASONS = [
  ["Number busy", 40],
  ["No answer", 30],
  ["Voicemail detected", 15],
  ["Invalid number", 8],
  ["Call dropped", 5],
  ["Network error", 2],
] as const;

// A long tail plus spellings that differ only in case, spaces or punctuation, as free-text
// reasons from carriers do; grouping must normalise them.
const FAILING_REASONS = [
  ["Number busy", 30],
  ["No answer", 20],
  ["Voicemail detected", 12],
  ["Invalid number", 8],
  ["Carrier rejected", 6],
  ["Call dropped", 5],
  ["Do not call list", 4],
  ["Network error", 3],
  ["Timeout waiting for answer", 2.5],
  ["number busy", 2],
  ["Number busy.", 2],
  [" Number busy ", 2],
  ["NO ANSWER", 1.5],
  ["No answer ", 1.5],
  ["SIP 486: Busy Here", 1],
] as const;

const STANDARD: OutcomeProfile = { failRate: 0.2, reasons: COMMON_REASONS, wholeSeconds: false };

export interface BatchView {
  snapshot: Snapshot;
  /** Epoch ms of the batch start; call times are this plus schedule offsets. */
  epoch: number;
  /** The moment the view describes (virtual for the live batch). */
  now: number;
  /** Stopped by DELETE: waiting calls stay waiting, the status endpoint says "cancelled". */
  cancelled?: boolean;
  call(index: number): SandboxCall;
}

export interface Batch {
  readonly id: string;
  readonly size: number;
  view(realNow: number): BatchView;
}

type RowSource = (index: number) => CallRow;

function makeCall(seed: number, schedule: Schedule, rowAt: RowSource, snapshot: Snapshot, epoch: number, index: number): SandboxCall {
  const status = CALL_STATUSES[snapshot.statuses[index] ?? 0] ?? "waiting";
  const jobId = jobIdFor(seed, index);
  const { phone, metadata } = rowAt(index);
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
      const rowAt: RowSource = (index) => buildRow(seed, index, rows);
      return { snapshot, epoch, now: realNow, call: (index) => makeCall(seed, schedule, rowAt, snapshot, epoch, index) };
    },
  };
}

export interface LiveClock {
  /** Virtual ms since the live batch started. */
  elapsed(realNow: number): number;
  speed(): number;
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
    speed: () => rate,
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

/** Calls that had not started when the batch was cancelled never start; active ones finish. */
function stoppedAt(schedule: Schedule, cancelAt: number): Schedule {
  return {
    size: schedule.size,
    at(index) {
      const timing = schedule.at(index);
      return timing.start >= cancelAt ? { ...timing, start: Number.POSITIVE_INFINITY, end: Number.POSITIVE_INFINITY } : timing;
    },
  };
}

/** What DELETE did: stopped it now, found it stopped already, or found nothing left to stop. */
export type CancelOutcome = "cancelled" | "already-cancelled" | "complete";

/** A batch that runs on a clock (the live demo batch, and every batch created by POST). */
export interface RunningBatch extends Batch {
  cancel(realNow: number): CancelOutcome;
  /** Forget a cancellation (restarting the live demo batch). */
  resume(): void;
}

function runningBatch(id: string, schedule: Schedule, rowAt: RowSource, clock: LiveClock): RunningBatch {
  const seed = hashString(id);
  let cancelAt: number | undefined;
  let effective = schedule;
  let cached: { snapshot: Snapshot; cancelAt: number | undefined } | undefined;
  const snapshotAt = (elapsed: number) => {
    if (cached?.snapshot.elapsed !== elapsed || cached.cancelAt !== cancelAt) {
      cached = { snapshot: takeSnapshot(effective, elapsed), cancelAt };
    }
    return cached.snapshot;
  };
  return {
    id,
    size: schedule.size,
    view(realNow) {
      const elapsed = clock.elapsed(realNow);
      const snapshot = snapshotAt(elapsed);
      const epoch = clock.epoch();
      const timing = effective;
      return {
        snapshot,
        epoch,
        now: epoch + elapsed,
        cancelled: cancelAt !== undefined,
        call: (index) => makeCall(seed, timing, rowAt, snapshot, epoch, index),
      };
    },
    cancel(realNow) {
      if (cancelAt !== undefined) return "already-cancelled";
      const elapsed = clock.elapsed(realNow);
      const { waiting } = snapshotAt(elapsed).summary;
      if (waiting === 0) return "complete";
      cancelAt = elapsed;
      effective = stoppedAt(schedule, elapsed);
      return "cancelled";
    },
    resume() {
      cancelAt = undefined;
      effective = schedule;
    },
  };
}

/** A batch started through POST /batch-calls: the uploaded rows, dialled on the sandbox clock. */
export interface UploadedRows {
  rows: readonly CallRow[];
  /** Epoch ms the calls start at (the upload time unless scheduled later). */
  startsAt: number;
  failRate: number;
}

export interface Catalogue {
  ids: readonly string[];
  get(id: string): Batch | undefined;
  /** Adds a finished batch (control route, tests): false when the id is taken. */
  addFinished(id: string, size: number, failRate: number): boolean;
  /** Adds a batch created by POST under a fresh id, and returns it. */
  addUploaded(upload: UploadedRows, realNow: number): RunningBatch;
  /** Cancels a running batch; undefined when no batch has this id, "finished" for a seeded finished batch. */
  cancel(id: string, realNow: number): CancelOutcome | "finished" | undefined;
  /** The live batch and every uploaded batch run at this speed. */
  setSpeed(speed: number, realNow: number): void;
  restartLive(secondsAgo: number, realNow: number): void;
  clock: LiveClock;
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
  const liveSeed = hashString(SANDBOX_BATCHES.live);
  const live = runningBatch(
    SANDBOX_BATCHES.live,
    lineSchedule(liveSeed, liveSize, LINES, STANDARD),
    (index) => buildRow(liveSeed, index, {}),
    clock,
  );
  const batches: Batch[] = [
    finishedBatch(SANDBOX_BATCHES.finished, 150, Date.UTC(2026, 10, 20, 9, 0, 0), (seed) =>
      lineSchedule(seed, 150, LINES, { ...STANDARD, wholeSeconds: true }),
    ),
    live,
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
  const running = new Map<string, RunningBatch>([[live.id, live]]);
  const clocks = [clock];
  let uploads = 0;
  return {
    ids: batches.map((batch) => batch.id),
    get: (id) => byId.get(id),
    addFinished(id, size, failRate) {
      if (byId.has(id)) return false;
      // Like demo-finished, seeded by its id: the same id always holds the same calls.
      byId.set(
        id,
        finishedBatch(id, size, Date.UTC(2026, 10, 20, 9, 0, 0), (seed) =>
          lineSchedule(seed, size, LINES, { ...STANDARD, failRate, wholeSeconds: true }),
        ),
      );
      return true;
    },
    addUploaded({ rows, startsAt, failRate }, realNow) {
      // Mongo-style ids as Trillet's look; counted, so every sandbox hands out the same sequence.
      let id: string;
      do {
        uploads++;
        id = `${(0x6a000000 + uploads).toString(16)}${hashString(`upload-${uploads}`).toString(16).padStart(8, "0")}${uploads.toString(16).padStart(8, "0")}`;
      } while (byId.has(id));
      const own = createLiveClock(clock.speed(), (realNow - startsAt) / 1000, realNow);
      clocks.push(own);
      const seed = hashString(id);
      const schedule = lineSchedule(seed, rows.length, LINES, { ...STANDARD, failRate, wholeSeconds: true });
      // A copy per call, as the seeded rows are built fresh per call: nobody can edit the upload.
      const rowAt: RowSource = (index) => {
        const row = rows[index];
        return { phone: row?.phone ?? "", metadata: { ...row?.metadata } };
      };
      const batch = runningBatch(id, schedule, rowAt, own);
      byId.set(id, batch);
      running.set(id, batch);
      return batch;
    },
    cancel(id, realNow) {
      const batch = running.get(id);
      if (batch) return batch.cancel(realNow);
      return byId.has(id) ? "finished" : undefined;
    },
    setSpeed(speed, realNow) {
      for (const each of clocks) each.setSpeed(speed, realNow);
    },
    restartLive(secondsAgo, realNow) {
      clock.restart(secondsAgo, realNow);
      live.resume();
    },
    clock,
  };
}
