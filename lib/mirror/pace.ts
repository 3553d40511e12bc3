// How the mirror's runners share the work (lib/mirror/worker.ts), also used to estimate
// a waiting copy's turn (lib/mirror/status.ts). No imports: safe for any module.

/** Slices run at once per instance: enough that a slow batch never holds up the others. */
export const SLOTS = 4;
/** A slice reads at most this many pages, or for at most SLICE_MS, then hands the job back. */
export const SLICE_PAGES = 10;
export const SLICE_MS = 15_000;
/** The share of the workspace budget background reads may use (RequestBudget's default backgroundShare). */
export const BACKGROUND_SHARE = 0.8;

/**
 * Spaces one workspace's background reads evenly over the window. The budget is a sliding log:
 * left to itself, a copy spends the background share in a burst at the start of a window and then
 * waits out the rest of it, and every later window repeats that burst. A refresh due during the
 * wait would then sit idle for most of a minute; evenly spaced, every copy moves all the time.
 */
export class ReadPacer {
  #next = 0;

  constructor(private readonly intervalMs: number) {}

  /** Resolves at this caller's turn (callers go in the order they asked). */
  async turn(signal?: AbortSignal): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.#next);
    this.#next = at + this.intervalMs;
    if (at <= now) return;
    await new Promise<void>((resolve, reject) => {
      const done = () => {
        signal?.removeEventListener("abort", stop);
        resolve();
      };
      const timer = setTimeout(done, at - now);
      const stop = () => {
        clearTimeout(timer);
        reject(signal!.reason);
      };
      if (signal?.aborted) return stop();
      signal?.addEventListener("abort", stop, { once: true });
    });
  }
}

const pacers = new WeakMap<object, ReadPacer>();

/** The pacer of one workspace's background reads (keyed by its gateway): its background share, evenly. */
export function pacerFor(gateway: object, limitPerMinute: number, windowMs: number): ReadPacer {
  let pacer = pacers.get(gateway);
  if (!pacer) {
    // A little under the share, as the budget counts its window with some slack too.
    pacer = new ReadPacer((windowMs * 1.02) / Math.max(1, limitPerMinute * BACKGROUND_SHARE));
    pacers.set(gateway, pacer);
  }
  return pacer;
}
