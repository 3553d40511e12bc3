import "server-only";

import { hashString, intBetween, pickWeighted, rowRng, type Rng } from "./random";

// When each call of a batch starts and ends, as millisecond offsets from the batch's start.
// Offsets (not absolute times) let the live batch be restarted or sped up without recomputing.

export interface CallTiming {
  start: number;
  end: number;
  failed: boolean;
  error: string | undefined;
}

export interface Schedule {
  readonly size: number;
  at(index: number): CallTiming;
}

export interface OutcomeProfile {
  failRate: number;
  reasons: ReadonlyArray<readonly [string, number]>;
  /** Whole-second spans give integer durations; the contract allows integer or float seconds. */
  wholeSeconds: boolean;
}

interface Outcome {
  failed: boolean;
  reason: number;
  spanMs: number;
  gapMs: number;
}

const SALT_OUTCOME = hashString("outcome");
const reasonTables = new WeakMap<OutcomeProfile, ReadonlyArray<readonly [number, number]>>();

// Weighted choice over reason positions, built once per profile (the large batch asks 100k times).
function reasonTable(profile: OutcomeProfile): ReadonlyArray<readonly [number, number]> {
  let table = reasonTables.get(profile);
  if (!table) {
    table = profile.reasons.map(([, weight], i) => [i, weight] as const);
    reasonTables.set(profile, table);
  }
  return table;
}

function outcomeFor(seed: number, index: number, profile: OutcomeProfile): Outcome {
  const rng: Rng = rowRng(seed, index, SALT_OUTCOME);
  const failed = rng() < profile.failRate;
  const reason = failed ? pickWeighted(rng, reasonTable(profile)) : -1;
  // Failures end early (busy, rejected) or after ringing out; answered calls ring then talk.
  let spanMs = failed ? intBetween(rng, 2_000, 30_000) : intBetween(rng, 3_000, 15_000) + intBetween(rng, 15_000, 70_000);
  if (profile.wholeSeconds) spanMs = Math.round(spanMs / 1000) * 1000;
  return { failed, reason, spanMs, gapMs: intBetween(rng, 500, 2_500) };
}

/** Min-heap of line free times; ties go to the lower line so the schedule is fully determined. */
class LineHeap {
  private readonly free: number[] = [];
  private readonly line: number[] = [];

  push(freeAt: number, line: number): void {
    this.free.push(freeAt);
    this.line.push(line);
    let i = this.free.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Hands the earliest free time to `nextFreeAt` and stores its answer as that line's next free time. */
  replaceTop(nextFreeAt: (freeAt: number) => number): void {
    this.free[0] = nextFreeAt(this.free[0] ?? 0);
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < this.free.length && this.less(l, best)) best = l;
      if (r < this.free.length && this.less(r, best)) best = r;
      if (best === i) return;
      this.swap(i, best);
      i = best;
    }
  }

  private less(a: number, b: number): boolean {
    const fa = this.free[a] ?? 0;
    const fb = this.free[b] ?? 0;
    return fa < fb || (fa === fb && (this.line[a] ?? 0) < (this.line[b] ?? 0));
  }

  private swap(a: number, b: number): void {
    [this.free[a], this.free[b]] = [this.free[b] ?? 0, this.free[a] ?? 0];
    [this.line[a], this.line[b]] = [this.line[b] ?? 0, this.line[a] ?? 0];
  }
}

/**
 * `lines` parallel lines dial rows in order: each row takes the line that frees up first.
 * Computed once, so a request only compares offsets against the clock.
 */
export function lineSchedule(seed: number, size: number, lines: number, profile: OutcomeProfile): Schedule {
  const starts = new Float64Array(size);
  const ends = new Float64Array(size);
  const failed = new Uint8Array(size);
  const reasons = new Int16Array(size);
  const heap = new LineHeap();
  // Lines come up a fraction of a second apart, as a dialler does.
  for (let line = 0; line < lines; line++) heap.push(line * 400, line);
  for (let i = 0; i < size; i++) {
    const outcome = outcomeFor(seed, i, profile);
    heap.replaceTop((freeAt) => {
      starts[i] = freeAt + outcome.gapMs;
      ends[i] = freeAt + outcome.gapMs + outcome.spanMs;
      return ends[i] ?? 0;
    });
    failed[i] = outcome.failed ? 1 : 0;
    reasons[i] = outcome.reason;
  }
  return {
    size,
    at(index) {
      const reason = reasons[index] ?? -1;
      return {
        start: starts[index] ?? 0,
        end: ends[index] ?? 0,
        failed: failed[index] === 1,
        error: reason >= 0 ? profile.reasons[reason]?.[0] : undefined,
      };
    },
  };
}

/** Closed-form schedule for batches too large to precompute: row i starts near i * spacing. */
export function formulaSchedule(seed: number, size: number, spacingMs: number, profile: OutcomeProfile): Schedule {
  return {
    size,
    at(index) {
      const outcome = outcomeFor(seed, index, profile);
      const start = index * spacingMs + outcome.gapMs;
      return {
        start,
        end: start + outcome.spanMs,
        failed: outcome.failed,
        error: outcome.failed ? profile.reasons[outcome.reason]?.[0] : undefined,
      };
    },
  };
}
