import type { Staleness } from "@/lib/trillet/gateway";

const clock = (ms: number) => new Date(ms).toLocaleTimeString();

/** Why the numbers on screen are older than asked for, in words a person can act on. */
export function stalenessText(stale: Staleness): string {
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
