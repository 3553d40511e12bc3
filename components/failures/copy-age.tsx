"use client";

import { useSyncExternalStore } from "react";

import { formatUtc } from "@/components/batches/format";
import { LocalTime, useLocalTime } from "@/components/batches/local-time";

/** How long ago, in words a person reads at a glance: "just now", "40 s ago", "2 min ago", "3 h ago". */
export function agoInWords(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 10) return "just now";
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} days ago`;
}

const everyTenSeconds = (tick: () => void) => {
  const timer = setInterval(tick, 10_000);
  return () => clearInterval(timer);
};

/**
 * The browser's time to the second; null on the server and while hydrating. The server's clock
 * and the browser's differ by the time the page took to arrive, so an age computed on the server
 * would not match the browser's first render: the age appears once hydrated.
 */
function useNow(): number | null {
  return useSyncExternalStore(
    everyTenSeconds,
    () => Math.floor(Date.now() / 1_000) * 1_000,
    () => null,
  );
}

/** The age of a read in words, ticking, then when it was ("2 min ago at 10:01"). */
export function CopyAge({ at }: { at: number }) {
  const now = useNow();
  const local = useLocalTime(at, clockFormat);
  // Beyond half a day the hour alone is ambiguous: the full date and time instead.
  const recent = (now ?? at) - at < 12 * 3_600_000;
  return (
    <span data-testid="copy-age" data-at={at}>
      {now === null ? null : `${agoInWords(now - at)} `}at{" "}
      {recent ? (
        <time dateTime={new Date(at).toISOString()} title={formatUtc(at)} className="tabular-nums">
          {local ?? `${new Date(at).toISOString().slice(11, 16)} UTC`}
        </time>
      ) : (
        <LocalTime ms={at} />
      )}
    </span>
  );
}

const clockFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
