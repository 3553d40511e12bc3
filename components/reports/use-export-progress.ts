"use client";

import { useCallback, useEffect, useRef, useState } from "react";

import { formatCount } from "@/components/batches/format";
import { useLocale } from "@/components/locale-provider";
import { toast } from "@/components/ui/toast";

import type { ExportFilter, ExportFormat, Reading } from "./download";
import { RateWindow } from "./eta";

export type ExportState =
  | { phase: "idle" }
  | {
      phase: "running";
      label: string;
      rows: number;
      total: number | null;
      reading: Reading | null;
      /** Time left from the measured recent rate (eta.ts); null until known. */
      etaMs: number | null;
    }
  | { phase: "failed"; label: string; message: string }
  | { phase: "limited"; label: string; message: string };

interface Run {
  filter: ExportFilter;
  format: ExportFormat;
  label: string;
}

/**
 * One export download at a time, as state for the menu: start, cancel, try again, with the
 * progress and a time estimate from the rate measured over the last ~30 s. The toasts say how it
 * ended; the cancel and retry buttons are the menu's own (one of each).
 */
export function useExportProgress({ exportPath, batchId, bom }: { exportPath: string; batchId: string; bom: boolean }) {
  const locale = useLocale();
  const [state, setState] = useState<ExportState>({ phase: "idle" });
  const abortRef = useRef<AbortController | null>(null);
  const lastRef = useRef<Run | null>(null);

  useEffect(() => () => abortRef.current?.abort(), []);

  const run = useCallback(
    async ({ filter, format, label }: Run) => {
      abortRef.current?.abort();
      const abort = new AbortController();
      abortRef.current = abort;
      lastRef.current = { filter, format, label };
      const toastId = `export-${batchId}`;
      const rate = new RateWindow();
      let etaMs: number | null = null;
      setState({ phase: "running", label, rows: 0, total: null, reading: null, etaMs });
      // The download code loads on the first export, not with the page (first-load budget).
      const download = import("./download");
      try {
        const { downloadExport } = await download;
        const { rows } = await downloadExport({
          exportPath,
          batchId,
          filter,
          format,
          bom,
          signal: abort.signal,
          onProgress: ({ rows, total, reading }) => {
            if (abort.signal.aborted) return;
            if (rows === 0 && reading?.phase === "reading") {
              rate.push({ at: performance.now(), done: reading.rows });
              etaMs = rate.etaMs(Math.max(reading.expected, reading.rows));
            }
            setState({ phase: "running", label, rows, total, reading, etaMs });
          },
        });
        setState({ phase: "idle" });
        toast.success(`Exported ${formatCount(rows, locale)} ${rows === 1 ? "row" : "rows"}`, { id: toastId, duration: 5000 });
      } catch (error) {
        if (abort.signal.aborted) {
          setState({ phase: "idle" });
          toast.info("Export cancelled", { id: toastId, duration: 3000 });
          return;
        }
        const message = error instanceof Error ? error.message : "The export failed.";
        if (error instanceof (await download).ExportLimitError) {
          // Nothing went wrong: the export waits its turn. Say why; the menu offers to try again.
          setState({ phase: "limited", label, message });
          toast.warning("Export not started", { id: toastId, description: message, duration: 10_000 });
          return;
        }
        setState({ phase: "failed", label, message });
        toast.error("Export failed", { id: toastId, description: message, duration: 10_000 });
      } finally {
        if (abortRef.current === abort) abortRef.current = null;
      }
    },
    [batchId, bom, exportPath, locale],
  );

  const cancel = useCallback(() => abortRef.current?.abort(), []);
  const retry = useCallback(() => {
    if (lastRef.current) void run(lastRef.current);
  }, [run]);

  return { state, run, cancel, retry };
}
