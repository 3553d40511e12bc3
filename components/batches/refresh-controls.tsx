"use client";

import { PauseIcon, PlayIcon, RefreshCwIcon } from "lucide-react";
import { useSyncExternalStore } from "react";

import { Button } from "@/components/ui/button";
import type { BatchPageData } from "@/lib/batches/batch-page";
import { cn } from "@/lib/utils";

import { localClock, stalenessText, utcClock } from "./staleness-text";

export function agoText(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s ago`;
  const h = Math.floor(m / 60);
  return `${h} h ${m % 60} min ago`;
}

const everySecond = (tick: () => void) => {
  const timer = setInterval(tick, 1_000);
  return () => clearInterval(timer);
};

/** The time to the second in the browser; null on the server and while hydrating (no mismatch). */
function useNow(): number | null {
  return useSyncExternalStore(
    everySecond,
    () => Math.floor(Date.now() / 1_000) * 1_000,
    () => null,
  );
}

interface Props {
  data: Pick<BatchPageData, "readAt" | "source" | "stale">;
  paused: boolean;
  onPausedChange: (paused: boolean) => void;
  refreshing: boolean;
  onRefresh: () => void;
  error?: { error?: string; kind?: string; retryAt?: string };
}

/**
 * Says what the numbers on screen are: live (read from Trillet moments ago), from Batchboard's
 * copy, or an older read shown because Trillet is slow or refusing, each with its age. Pause,
 * resume and refresh-now for a running batch.
 */
export function RefreshControls({ data, paused, onPausedChange, refreshing, onRefresh, error }: Props) {
  const now = useNow();
  const { readAt, source, stale } = data;
  const state = stale ? "stale" : source === "mirror" ? "copy" : paused ? "paused" : "live";
  const label = {
    live: "Live",
    paused: "Live updates paused",
    copy: "From Batchboard's copy",
    stale: "Not up to date",
  }[state];
  return (
    <div className="flex flex-col gap-2 text-sm" data-testid="refresh-controls">
      <div className="flex flex-wrap items-center gap-2">
        <span className="inline-flex items-center gap-2" aria-live="off" data-testid="updated-ago" data-state={state}>
          <span
            aria-hidden="true"
            className={cn(
              "size-2 rounded-full",
              state === "live" && "bg-status-completed motion-safe:animate-pulse",
              state === "paused" && "bg-muted-foreground",
              state === "copy" && "bg-status-waiting",
              state === "stale" && "bg-status-failed",
            )}
          />
          {label} · {source === "mirror" ? "copied" : "read"} from Trillet {now === null ? "at" : agoText(now - readAt)}
          {now === null ? <time dateTime={new Date(readAt).toISOString()}> {new Date(readAt).toISOString().slice(11, 19)} UTC</time> : null}
        </span>
        <Button variant="outline" size="sm" onClick={() => onPausedChange(!paused)} aria-pressed={paused}>
          {paused ? <PlayIcon aria-hidden="true" /> : <PauseIcon aria-hidden="true" />}
          {paused ? "Resume" : "Pause"}
        </Button>
        <Button variant="ghost" size="sm" onClick={onRefresh} disabled={refreshing} aria-label="Refresh now">
          <RefreshCwIcon aria-hidden="true" className={refreshing ? "motion-safe:animate-spin" : ""} />
        </Button>
      </div>
      {stale ? (
        <p
          role="status"
          className="text-muted-foreground"
          data-testid="stale-note"
          data-kind={stale.kind}
          data-foreign={stale.foreign ? "true" : undefined}
        >
          Showing the numbers read {now === null ? "earlier" : agoText(now - readAt)}:{" "}
          {stalenessText(stale, now === null ? utcClock : localClock)}.
        </p>
      ) : null}
      {error ? (
        <p role="status" className="text-destructive" data-testid="refresh-error" data-kind={error.kind}>
          {error.kind === "rate_limited" && error.retryAt
            ? `Trillet's rate limit: showing the last numbers; retrying after ${localClock(Date.parse(error.retryAt))}.`
            : `${error.error ?? "The latest numbers could not be loaded"}: showing the last numbers.`}
        </p>
      ) : null}
    </div>
  );
}
