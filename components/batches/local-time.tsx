"use client";

import { useSyncExternalStore } from "react";
import { formatUtc } from "./format";

const subscribe = () => () => {};

/**
 * A timestamp in the viewer's own time zone, UTC on hover. The server renders UTC (it cannot know
 * the viewer's zone); the browser swaps in local time without a hydration mismatch.
 */
export function LocalTime({ ms }: { ms: number | null }) {
  const local = useSyncExternalStore(
    subscribe,
    () => (ms === null ? null : localFormat.format(ms)),
    () => null,
  );
  if (ms === null) return <span className="text-muted-foreground">—</span>;
  const utc = formatUtc(ms);
  return (
    <time dateTime={new Date(ms).toISOString()} title={utc} className="whitespace-nowrap tabular-nums">
      {local ?? utc}
    </time>
  );
}

const localFormat = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});
