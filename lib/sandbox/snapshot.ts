import "server-only";

import type { Schedule } from "./schedule";
import type { CallStatus, SandboxSummary } from "./types";

// The state of every call of a batch at one moment, from one linear pass over the schedule.

export const CALL_STATUSES = ["waiting", "active", "completed", "failed"] as const satisfies readonly CallStatus[];

const RECENT_LIMIT = 10;

export interface Snapshot {
  /** Offset (ms from batch start) this snapshot describes; Infinity for finished batches. */
  elapsed: number;
  statuses: Uint8Array;
  summary: SandboxSummary;
  /** Row indexes per status in row order, so a filtered page is a slice, not a scan. */
  indexes: Record<CallStatus, Uint32Array>;
  /** Mean duration of completed calls in seconds (0 when none). */
  averageCallDuration: number;
  lastFinishedOffset: number | null;
  /** Indexes of the last finished calls, newest first. */
  recent: number[];
}

export function takeSnapshot(schedule: Schedule, elapsed: number): Snapshot {
  const size = schedule.size;
  const statuses = new Uint8Array(size);
  const counts = [0, 0, 0, 0];
  let durationSum = 0;
  let lastFinished: number | null = null;
  // Newest-first top list; kept tiny, so insertion beats sorting the finished calls.
  const recent: Array<{ index: number; end: number }> = [];

  for (let i = 0; i < size; i++) {
    const timing = schedule.at(i);
    let code: number;
    if (elapsed < timing.start) code = 0;
    else if (elapsed < timing.end) code = 1;
    else code = timing.failed ? 3 : 2;
    statuses[i] = code;
    counts[code] = (counts[code] ?? 0) + 1;
    if (code < 2) continue;
    if (code === 2) durationSum += timing.end - timing.start;
    if (lastFinished === null || timing.end > lastFinished) lastFinished = timing.end;
    const last = recent[recent.length - 1];
    if (recent.length < RECENT_LIMIT || (last && timing.end >= last.end)) {
      let at = recent.length;
      while (at > 0 && (recent[at - 1]?.end ?? 0) <= timing.end) at--;
      recent.splice(at, 0, { index: i, end: timing.end });
      if (recent.length > RECENT_LIMIT) recent.pop();
    }
  }

  const indexes = {} as Record<CallStatus, Uint32Array>;
  const fill = [0, 0, 0, 0];
  CALL_STATUSES.forEach((status, code) => {
    indexes[status] = new Uint32Array(counts[code] ?? 0);
  });
  for (let i = 0; i < size; i++) {
    const code = statuses[i] ?? 0;
    const status = CALL_STATUSES[code] ?? "waiting";
    const at = fill[code] ?? 0;
    indexes[status][at] = i;
    fill[code] = at + 1;
  }

  const [waiting = 0, active = 0, completed = 0, failed = 0] = counts;
  return {
    elapsed,
    statuses,
    summary: { total: size, waiting, active, completed, failed },
    indexes,
    // Two decimals: a float as the contract says, without noise digits in every response.
    averageCallDuration: completed === 0 ? 0 : Math.round(durationSum / completed / 10) / 100,
    lastFinishedOffset: lastFinished,
    recent: recent.map((entry) => entry.index),
  };
}
