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

const zoneFormat = new Intl.DateTimeFormat(undefined, { timeZoneName: "shortOffset" });

/** The viewer's zone as an offset ("UTC+1"), or "UTC" on the server and while hydrating. */
export function useZoneName(): string {
  return useSyncExternalStore(
    subscribe,
    () => {
      const zone = zoneFormat.formatToParts(Date.now()).find((part) => part.type === "timeZoneName")?.value ?? "UTC";
      return zone.replace(/^GMT/, "UTC") || "UTC";
    },
    () => "UTC",
  );
}

/** A column label that says which zone its times are in ("Started (UTC+1)"), as LocalTime shows them. */
export function TimeZoneLabel({ label }: { label: string }) {
  const zone = useZoneName();
  return (
    <span className="whitespace-nowrap">
      {label} <span className="font-normal text-muted-foreground">({zone === "UTC" || zone === "UTC+0" ? "UTC" : zone})</span>
    </span>
  );
}
