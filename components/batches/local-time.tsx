"use client";

import { useSyncExternalStore } from "react";

import { formatUtc } from "./format";

const subscribe = () => () => {};

/**
 * A timestamp formatted in the viewer's zone, or null on the server and during hydration (the
 * server cannot know the zone): callers show UTC until then, without a hydration mismatch.
 */
export function useLocalTime(ms: number | null, format: Intl.DateTimeFormat): string | null {
  return useSyncExternalStore(
    subscribe,
    () => (ms === null ? null : format.format(ms)),
    () => null,
  );
}

/**
 * A timestamp in the viewer's own time zone, UTC on hover. The server renders UTC (it cannot know
 * the viewer's zone); the browser swaps in local time without a hydration mismatch.
 */
export function LocalTime({ ms }: { ms: number | null }) {
  const local = useLocalTime(ms, localFormat);
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
