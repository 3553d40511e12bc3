"use client";

import { DownloadIcon, Loader2Icon, RotateCwIcon, XIcon } from "lucide-react";
import { useCallback, useEffect, useRef, useState } from "react";

import { formatCount } from "@/components/batches/format";
import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuCheckboxItem,
  DropdownMenuContent,
  DropdownMenuGroup,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { Progress } from "@/components/ui/progress";
import { toast } from "@/components/ui/toast";
import { cn } from "@/lib/utils";

import { CsvRecordCounter, fileNameOf } from "./csv-progress";

export interface ExportFilter {
  status?: string;
  reason?: string;
  q?: string;
}

interface Props {
  /** /api/w/{workspace}/batches/{batchId}/export */
  exportPath: string;
  batchId: string;
  /** The filters of the view on screen ("this view"). */
  view: ExportFilter;
  /** What "this view" means here, for the menu's labels. */
  viewLabel?: string;
}

type Format = "report" | "retry";

const INTERRUPTED = "The server stopped before the file was complete (the batch could not be read to the end). Nothing was saved.";

/** What the progress route answers while an export reads Trillet (lib/reports/progress.ts). */
interface Reading {
  phase: "reading" | "writing" | "done" | "failed";
  pagesDone: number;
  totalPages: number;
  budget: { limitPerMinute: number; left: number; pausedUntil: number | null };
}

type State =
  | { phase: "idle" }
  | { phase: "running"; label: string; rows: number; total: number | null; reading: Reading | null }
  | { phase: "failed"; label: string; message: string }
  | { phase: "limited"; label: string; message: string };

/** The server refused to start a walking export: too many already share the workspace's budget (429). */
class ExportLimitError extends Error {}

const POLL_MS = 1_000;

/** "Reading page 120 of 1,000 from Trillet, about 15 min left" (the budget line is shown beside it). */
function readingText(r: Reading): string {
  if (r.totalPages === 0) return "Reading calls from Trillet…";
  const left = Math.max(0, r.totalPages - r.pagesDone);
  const minutes = Math.ceil(left / Math.max(1, r.budget.limitPerMinute));
  const eta = left === 0 ? "" : minutes <= 1 ? ", under a minute left" : `, about ${formatCount(minutes)} min left`;
  return `Reading page ${formatCount(r.pagesDone)} of ${formatCount(r.totalPages)} from Trillet${eta}`;
}

function queryOf(filter: ExportFilter, format: Format, bom: boolean): string {
  const q = new URLSearchParams();
  if (format === "report" && filter.status && filter.status !== "all") q.set("status", filter.status);
  if (format === "retry") q.set("format", "retry");
  if (filter.reason) q.set("reason", filter.reason);
  if (filter.q) q.set("q", filter.q);
  if (bom) q.set("bom", "1");
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** Saves bytes under a name through a temporary Blob URL. */
function save(parts: BlobPart[], fileName: string) {
  const url = URL.createObjectURL(new Blob(parts, { type: "text/csv;charset=utf-8" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  a.rel = "noopener";
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * The export menu: this view or all calls, as a report or a file of calls to retry. The download
 * runs through fetch so it can show rows so far, be cancelled, and fail visibly: a file is saved
 * only once the server ended the stream cleanly, never a short one.
 */
export function ExportMenu({ exportPath, batchId, view, viewLabel = "This view" }: Props) {
  const [bom, setBom] = useState(false);
  const [state, setState] = useState<State>({ phase: "idle" });
  const abortRef = useRef<AbortController | null>(null);
  const lastRef = useRef<{ filter: ExportFilter; format: Format; label: string } | null>(null);

  useEffect(() => () => abortRef.current?.abort(), []);

  const run = useCallback(
    async (filter: ExportFilter, format: Format, label: string) => {
      abortRef.current?.abort();
      const abort = new AbortController();
      abortRef.current = abort;
      lastRef.current = { filter, format, label };
      setState({ phase: "running", label, rows: 0, total: null, reading: null });
      const toastId = `export-${batchId}`;
      let pollTimer: ReturnType<typeof setTimeout> | undefined;
      // Ends every progress poll with the run: an answer arriving after the download ended (done,
      // failed or cancelled) must not put the menu back to "reading".
      const polling = new AbortController();
      const cancelPolling = () => polling.abort();
      abort.signal.addEventListener("abort", cancelPolling, { once: true });
      toast.loading(`Exporting ${label.toLowerCase()}…`, {
        id: toastId,
        duration: Infinity,
        action: { label: "Cancel", onClick: () => abort.abort() },
      });
      try {
        const response = await fetch(`${exportPath}${queryOf(filter, format, bom)}`, { signal: abort.signal, cache: "no-store" }).catch(
          (error: unknown) => {
            if (abort.signal.aborted) throw error;
            throw new Error(INTERRUPTED);
          },
        );
        if (!response.ok || !response.body) {
          const body = (await response.json().catch(() => null)) as { error?: string; kind?: string } | null;
          const message = body?.error || `The server answered HTTP ${response.status}.`;
          // Its message says how many run and when to try again.
          throw response.status === 429 && body?.kind === "export_limit" ? new ExportLimitError(message) : new Error(message);
        }
        const totalHeader = response.headers.get("x-export-total");
        const total = totalHeader === null ? null : Number(totalHeader);
        const counter = new CsvRecordCounter();
        // An export that walks Trillet reads the whole batch before its first row: its progress
        // (pages, budget) comes from the progress route until rows arrive.
        const exportId = response.headers.get("x-export-id");
        let reading: Reading | null = null;
        if (exportId) {
          const poll = async () => {
            if (polling.signal.aborted || counter.rows > 0) return;
            const answer = await fetch(`${exportPath}/progress?id=${encodeURIComponent(exportId)}`, {
              signal: polling.signal,
              cache: "no-store",
            }).catch(() => null);
            if (!answer?.ok) {
              // 404: another instance holds it (the bar stays as it is); anything else: try again.
              if (answer?.status !== 404 && !polling.signal.aborted) pollTimer = setTimeout(() => void poll(), POLL_MS * 2);
              return;
            }
            reading = (await answer.json().catch(() => null)) as Reading | null;
            if (polling.signal.aborted) return;
            if (counter.rows === 0) setState({ phase: "running", label, rows: 0, total, reading });
            if (reading?.phase === "reading") pollTimer = setTimeout(() => void poll(), POLL_MS);
          };
          pollTimer = setTimeout(() => void poll(), POLL_MS / 2);
        }
        const decoder = new TextDecoder();
        const parts: Uint8Array<ArrayBuffer>[] = [];
        const reader = response.body.getReader();
        let lastUpdate = 0;
        for (;;) {
          let step: ReadableStreamReadResult<Uint8Array>;
          try {
            step = await reader.read();
          } catch (error) {
            if (abort.signal.aborted) throw error;
            throw new Error(INTERRUPTED);
          }
          if (step.done) break;
          parts.push(new Uint8Array(step.value));
          counter.push(decoder.decode(step.value, { stream: true }));
          const now = performance.now();
          if (now - lastUpdate > 100) {
            lastUpdate = now;
            setState({ phase: "running", label, rows: counter.rows, total, reading });
          }
        }
        counter.push(decoder.decode());
        save(parts, fileNameOf(response.headers.get("content-disposition"), `${batchId}.csv`));
        setState({ phase: "idle" });
        toast.success(`Exported ${formatCount(counter.rows)} ${counter.rows === 1 ? "row" : "rows"}`, {
          id: toastId,
          duration: 5000,
          action: undefined,
        });
      } catch (error) {
        if (abort.signal.aborted) {
          setState({ phase: "idle" });
          toast.info("Export cancelled", { id: toastId, duration: 3000, action: undefined });
          return;
        }
        const message = error instanceof Error ? error.message : "The export failed.";
        if (error instanceof ExportLimitError) {
          // Nothing went wrong: the export waits its turn. Say why, and offer to try again.
          setState({ phase: "limited", label, message });
          toast.warning("Export not started", { id: toastId, description: message, duration: 10_000, action: undefined });
          return;
        }
        setState({ phase: "failed", label, message });
        toast.error("Export failed", {
          id: toastId,
          description: message,
          duration: 10_000,
          action: { label: "Retry", onClick: () => void run(filter, format, label) },
        });
      } finally {
        polling.abort();
        abort.signal.removeEventListener("abort", cancelPolling);
        clearTimeout(pollTimer);
        if (abortRef.current === abort) abortRef.current = null;
      }
    },
    [batchId, bom, exportPath],
  );

  const running = state.phase === "running";
  const items: { filter: ExportFilter; format: Format; label: string; testId: string }[] = [
    { filter: view, format: "report", label: `${viewLabel}: report`, testId: "export-view-report" },
    { filter: view, format: "retry", label: `${viewLabel}: upload file for Trillet (calls to retry)`, testId: "export-view-retry" },
    { filter: {}, format: "report", label: "All calls: report", testId: "export-all-report" },
    { filter: {}, format: "retry", label: "All calls: upload file for Trillet (calls to retry)", testId: "export-all-retry" },
  ];

  return (
    <div className="flex flex-col items-end gap-2">
      <DropdownMenu>
        <DropdownMenuTrigger asChild>
          <Button variant="outline" size="sm" data-testid="export-menu" disabled={running} aria-label="Export calls as CSV">
            {running ? <Loader2Icon aria-hidden="true" className="animate-spin" /> : <DownloadIcon aria-hidden="true" />} Export
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent align="end" className="w-64">
          <DropdownMenuLabel>Download CSV</DropdownMenuLabel>
          <DropdownMenuGroup>
            {items.map((item) => (
              <DropdownMenuItem key={item.testId} data-testid={item.testId} onSelect={() => void run(item.filter, item.format, item.label)}>
                {item.label}
              </DropdownMenuItem>
            ))}
          </DropdownMenuGroup>
          <DropdownMenuSeparator />
          <DropdownMenuCheckboxItem
            checked={bom}
            onCheckedChange={(checked) => setBom(checked === true)}
            onSelect={(event) => event.preventDefault()}
            data-testid="export-bom"
          >
            Excel (with BOM)
          </DropdownMenuCheckboxItem>
        </DropdownMenuContent>
      </DropdownMenu>
      <div role="status" aria-live="polite" className="empty:hidden" data-testid="export-status" data-phase={state.phase}>
        {state.phase === "running" ? (
          <div className="flex w-64 flex-col gap-1.5 text-xs text-muted-foreground">
            <div className="flex items-center justify-between gap-2">
              <span className="tabular-nums" data-testid="export-progress">
                {state.rows === 0 && state.total !== 0
                  ? state.reading
                    ? readingText(state.reading)
                    : "Reading calls…"
                  : `${formatCount(state.rows)}${state.total !== null ? ` of ${formatCount(state.total)}` : ""} rows`}
              </span>
              <Button variant="ghost" size="sm" onClick={() => abortRef.current?.abort()} data-testid="export-cancel">
                <XIcon aria-hidden="true" /> Cancel
              </Button>
            </div>
            {state.rows === 0 && state.reading && state.reading.totalPages > 0 ? (
              <>
                <Progress value={state.reading.pagesDone} max={state.reading.totalPages} aria-label={`Export progress: ${state.label}`} />
                <span className="tabular-nums" data-testid="export-budget">
                  {state.reading.budget.pausedUntil
                    ? `Trillet asked us to wait; reading resumes at ${new Date(state.reading.budget.pausedUntil).toLocaleTimeString()}.`
                    : `Budget: ${formatCount(state.reading.budget.left)} of ${formatCount(state.reading.budget.limitPerMinute)} requests left this minute`}
                </span>
              </>
            ) : (
              <Progress value={state.total ? state.rows : null} max={state.total || 100} aria-label={`Export progress: ${state.label}`} />
            )}
          </div>
        ) : state.phase === "limited" || state.phase === "failed" ? (
          <div
            className={cn(
              "flex max-w-sm items-start gap-2 text-xs",
              state.phase === "limited" ? "text-muted-foreground" : "text-destructive",
            )}
            data-testid={state.phase === "limited" ? "export-limited" : "export-failed"}
          >
            <span>
              {state.phase === "limited" ? "Export not started" : "Export failed"}: {state.message}
            </span>
            <Button
              variant="outline"
              size="sm"
              onClick={() => lastRef.current && void run(lastRef.current.filter, lastRef.current.format, lastRef.current.label)}
              data-testid="export-retry"
            >
              <RotateCwIcon aria-hidden="true" /> {state.phase === "limited" ? "Try again" : "Retry"}
            </Button>
          </div>
        ) : null}
      </div>
    </div>
  );
}
