"use client";

import { formatUtc } from "@/components/batches/format";
import { useLocalTime } from "@/components/batches/local-time";

const localFormat = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  timeZoneName: "short",
});

/**
 * A timestamp in the viewer's zone (named) with UTC beneath it, both visible: a call detail is
 * where people compare times with carrier logs and colleagues elsewhere.
 */
export function DualTime({ ms }: { ms: number | null }) {
  const local = useLocalTime(ms, localFormat);
  if (ms === null) return <span className="text-muted-foreground">—</span>;
  const utc = formatUtc(ms);
  return (
    <span className="flex flex-col tabular-nums">
      <time dateTime={new Date(ms).toISOString()}>{local ?? utc}</time>
      {local ? <span className="text-xs text-muted-foreground">{utc}</span> : null}
    </span>
  );
}
