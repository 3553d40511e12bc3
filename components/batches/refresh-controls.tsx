"use client";

import { PauseIcon, PlayIcon, RefreshCwIcon } from "lucide-react";
import { useEffect, useState } from "react";
import { Button } from "@/components/ui/button";
import { cn } from "@/lib/utils";

function agoText(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  return `${m} min ${s % 60} s ago`;
}

interface Props {
  readAt: number;
  paused: boolean;
  onPausedChange: (paused: boolean) => void;
  refreshing: boolean;
  onRefresh: () => void;
  error?: { error?: string; kind?: string; retryAt?: string };
}

/** "Updated N s ago", pause/resume and refresh-now for a running batch. */
export function RefreshControls({ readAt, paused, onPausedChange, refreshing, onRefresh, error }: Props) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);
  return (
    <div className="flex flex-wrap items-center gap-2 text-sm" data-testid="refresh-controls">
      <span
        className={cn("inline-flex items-center gap-2", paused ? "text-muted-foreground" : "")}
        aria-live="off"
        data-testid="updated-ago"
      >
        <span
          aria-hidden="true"
          className={cn("size-2 rounded-full", paused ? "bg-muted-foreground" : "bg-status-completed motion-safe:animate-pulse")}
        />
        {paused ? "Live updates paused" : "Live"} · updated {agoText(now - readAt)}
      </span>
      <Button variant="outline" size="sm" onClick={() => onPausedChange(!paused)} aria-pressed={paused}>
        {paused ? <PlayIcon aria-hidden="true" /> : <PauseIcon aria-hidden="true" />}
        {paused ? "Resume" : "Pause"}
      </Button>
      <Button variant="ghost" size="sm" onClick={onRefresh} disabled={refreshing} aria-label="Refresh now">
        <RefreshCwIcon aria-hidden="true" className={refreshing ? "motion-safe:animate-spin" : ""} />
      </Button>
      {error ? (
        <span role="status" className="text-destructive" data-testid="refresh-error" data-kind={error.kind}>
          {error.kind === "rate_limited" && error.retryAt
            ? `Trillet's rate limit: showing the last numbers; retrying after ${new Date(error.retryAt).toLocaleTimeString()}.`
            : `${error.error ?? "The latest numbers could not be loaded"}: showing the last numbers.`}
        </span>
      ) : null}
    </div>
  );
}
