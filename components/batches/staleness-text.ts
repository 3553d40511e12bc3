import type { Staleness } from "@/lib/trillet/gateway";

/**
 * "14:03:07 UTC": the same on the server and in the browser. A server render must not use the
 * viewer's local time (the server knows neither the zone nor the locale: the browser's first
 * render would differ from the HTML, a hydration error); the browser swaps it in afterwards.
 */
export const utcClock = (ms: number) => `${new Date(ms).toISOString().slice(11, 19)} UTC`;

/** The viewer's own clock ("14:03:07", in their locale): only once the page is hydrated. */
export const localClock = (ms: number) => new Date(ms).toLocaleTimeString();

/** Why the numbers on screen are older than asked for, in words a person can act on. */
export function stalenessText(stale: Staleness, clock: (ms: number) => string = utcClock): string {
  const retry = stale.retryAt ? `; retrying at ${clock(stale.retryAt)}` : "; retrying by itself";
  switch (stale.kind) {
    case "rate_limited":
      return stale.foreign
        ? `Another tool is using this workspace's Trillet key and has used up its rate limit${retry}`
        : `Trillet's rate limit is reached${retry}`;
    case "slow":
      return "Trillet is slow to answer; the refresh continues in the background";
    case "credentials":
      return "Trillet rejected this workspace's credentials; an admin needs to update the connection";
    case "unavailable":
      return `Trillet is unreachable right now${retry}`;
    default:
      return `Trillet's latest answer could not be used${retry}`;
  }
}
