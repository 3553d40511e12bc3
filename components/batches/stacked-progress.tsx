"use client";

import * as React from "react";

import { useLocale } from "@/components/locale-provider";
import { numberFormat } from "@/lib/locale";
import { cn } from "@/lib/utils";

type StackedProgressSegment = {
  key: string;
  label: string;
  value: number;
  /** Background colour utility for the segment, e.g. "bg-status-completed". */
  className: string;
};

type StackedProgressProps = {
  segments: StackedProgressSegment[];
  total: number;
  showLegend?: boolean;
  className?: string;
};

function safeCount(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}

function percentOf(value: number, total: number): number {
  return total > 0 ? Math.round((value / total) * 100) : 0;
}

function describe(segment: StackedProgressSegment, total: number, format: Intl.NumberFormat): string {
  const value = safeCount(segment.value);
  return `${segment.label} ${format.format(value)} of ${format.format(total)} (${percentOf(value, total)}%)`;
}

function StackedProgress({ segments, total, showLegend = false, className }: StackedProgressProps) {
  const format = numberFormat(useLocale());
  const safeTotal = safeCount(total);
  const sum = segments.reduce((acc, segment) => acc + safeCount(segment.value), 0);
  // Never overflow the track, even if the segments add up to more than `total`.
  const scale = Math.max(safeTotal, sum);
  const summary =
    segments.length > 0
      ? segments.map((segment) => describe(segment, safeTotal, format)).join(", ")
      : `No items (total ${format.format(safeTotal)})`;

  return (
    <div data-slot="stacked-progress" className={cn("flex flex-col gap-2", className)}>
      <div role="img" aria-label={summary} className="flex h-2.5 w-full overflow-hidden rounded-full bg-muted">
        {scale > 0
          ? segments.map((segment) => {
              const value = safeCount(segment.value);
              if (value === 0) return null;
              return (
                <div
                  key={segment.key}
                  data-segment={segment.key}
                  title={describe(segment, safeTotal, format)}
                  className={cn("h-full not-first:border-l not-first:border-background", segment.className)}
                  style={{ width: `${(value / scale) * 100}%` }}
                />
              );
            })
          : null}
      </div>
      {showLegend ? (
        <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-muted-foreground">
          {segments.map((segment) => {
            const value = safeCount(segment.value);
            return (
              <li key={segment.key} className="flex items-center gap-1.5">
                <span aria-hidden="true" className={cn("size-2.5 shrink-0 rounded-sm", segment.className)} />
                <span className="text-foreground">{segment.label}</span>
                <span className="tabular-nums">
                  {format.format(value)} ({percentOf(value, safeTotal)}%)
                </span>
              </li>
            );
          })}
        </ul>
      ) : null}
    </div>
  );
}

export { StackedProgress, type StackedProgressSegment, type StackedProgressProps };
