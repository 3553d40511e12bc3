// The time left of an export, from the rate it actually made lately: a moving window over the
// last ~30 s of progress samples (never the nominal rate limit, which says nothing about a walk
// slowed by page views, another tool on the key or a slow Trillet). Plain module: unit-tested.

import type { Reading } from "./download";

export interface ProgressSample {
  /** Milliseconds (any monotonic clock). */
  at: number;
  /** Units done so far (calls read). */
  done: number;
}

export const ETA_WINDOW_MS = 30_000;
/** Below this span of samples the rate is not known yet: no estimate rather than a wild one. */
const MIN_SPAN_MS = 3_000;

/** Keeps the samples of the last window, oldest first. */
export class RateWindow {
  #samples: ProgressSample[] = [];
  constructor(readonly windowMs: number = ETA_WINDOW_MS) {}

  push(sample: ProgressSample): void {
    const last = this.#samples.at(-1);
    // A sample from the past, or a count going back (a new walk), starts over.
    if (last && (sample.at < last.at || sample.done < last.done)) this.#samples = [];
    this.#samples.push(sample);
    // Keep one sample at or before the window's start, so the window spans all of it.
    while (this.#samples.length > 2 && this.#samples[1]!.at <= sample.at - this.windowMs) this.#samples.shift();
  }

  /** Units per millisecond over the window; null until it spans a few seconds. */
  rate(): number | null {
    const first = this.#samples[0];
    const last = this.#samples.at(-1);
    if (!first || !last || last.at - first.at < MIN_SPAN_MS) return null;
    return (last.done - first.done) / (last.at - first.at);
  }

  /** Milliseconds left to reach `total` at the window's rate; null when unknown (no rate yet, or no progress in the window). */
  etaMs(total: number): number | null {
    const last = this.#samples.at(-1);
    const rate = this.rate();
    if (!last || rate === null) return null;
    const left = Math.max(0, total - last.done);
    if (left === 0) return 0;
    if (rate <= 0) return null;
    return left / rate;
  }
}

/** "about 3 min left", "under a minute left", or "" when unknown. */
export function etaText(ms: number | null, locale?: string): string {
  if (ms === null) return "";
  if (ms < 60_000) return "under a minute left";
  const minutes = Math.round(ms / 60_000);
  if (minutes < 90) return `about ${new Intl.NumberFormat(locale).format(minutes)} min left`;
  const hours = Math.round((ms / 3_600_000) * 10) / 10;
  return `about ${new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(hours)} h left`;
}

/**
 * Trillet's rate limit is what the walk waits for: Trillet paused us (a 429), or the window of
 * the key's requests is (nearly) used up. The menu then says so in plain words.
 */
export function rateLimited(r: Pick<Reading, "budget">): boolean {
  return r.budget.pausedUntil !== null || r.budget.left <= Math.ceil(r.budget.limitPerMinute / 10);
}
