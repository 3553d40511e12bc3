import "server-only";

// Sliding window per API key: at most N requests in any rolling 60 s, counted on arrival.
// Check and record are separate because rejected requests (real or injected 429s) do not count.

export const WINDOW_MS = 60_000;

export type RateVerdict = { allowed: true } | { allowed: false; resetAt: number };

export class SlidingWindowLimiter {
  private readonly arrivals = new Map<string, number[]>();

  constructor(
    private perMinute: number,
    private windowMs = WINDOW_MS,
  ) {}

  /** `windowMs` is a sandbox knob (Trillet's window is a minute) so tests can scale time down. */
  setLimit(perMinute: number, windowMs = WINDOW_MS): void {
    this.perMinute = perMinute;
    this.windowMs = windowMs;
  }

  check(key: string, now: number): RateVerdict {
    if (this.perMinute === 0) return { allowed: true };
    const window = this.prune(key, now);
    const oldest = window[0];
    if (window.length < this.perMinute || oldest === undefined) return { allowed: true };
    // A slot frees when the oldest request expires; if the limit was lowered mid-window, enough
    // requests must expire to get under it, hence the index rather than simply window[0].
    return { allowed: false, resetAt: (window[window.length - this.perMinute] ?? oldest) + this.windowMs };
  }

  record(key: string, now: number): void {
    if (this.perMinute === 0) return;
    this.prune(key, now).push(now);
  }

  private prune(key: string, now: number): number[] {
    let window = this.arrivals.get(key);
    if (!window) {
      window = [];
      this.arrivals.set(key, window);
    }
    let expired = 0;
    while (expired < window.length && (window[expired] ?? 0) <= now - this.windowMs) expired++;
    if (expired > 0) window.splice(0, expired);
    return window;
  }
}
