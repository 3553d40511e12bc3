"use client";

import { DownloadIcon, Loader2Icon, RotateCwIcon, XIcon } from "lucide-react";
import { useState } from "react";

import { formatCount } from "@/components/batches/format";
import { useLocale } from "@/components/locale-provider";
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
import { cn } from "@/lib/utils";

import type { ExportFilter, ExportFormat } from "./download";
import { etaText, rateLimited } from "./eta";
import { useExportProgress, type ExportState } from "./use-export-progress";

export type { ExportFilter } from "./download";

interface Props {
  /** /api/w/{workspace}/batches/{batchId}/export */
  exportPath: string;
  batchId: string;
  /** The filters of the view on screen ("this view"). */
  view: ExportFilter;
  /** What "this view" means here, for the menu's labels. */
  viewLabel?: string;
}

/** The progress area's main line, in plain words and the viewer's locale. */
function progressText(state: Extract<ExportState, { phase: "running" }>, locale: string): string {
  const formatRows = (n: number) => formatCount(n, locale);
  const { reading, rows, total } = state;
  if (rows === 0 && total !== 0 && reading?.phase === "reading") {
    const expected = Math.max(reading.expected, reading.rows);
    if (expected === 0) return "Fetching calls from Trillet…";
    const eta = etaText(state.etaMs, locale);
    return `Fetching calls from Trillet: ${formatRows(reading.rows)} of ${formatRows(expected)}${eta ? ` · ${eta}` : ""}`;
  }
  if (rows === 0 && total !== 0) return reading ? "Writing the file…" : "Starting the export…";
  return `Writing the file: ${formatRows(rows)}${total !== null && total >= 0 ? ` of ${formatRows(total)}` : ""} rows`;
}

/**
 * The export menu: this view or all calls, as a report (for spreadsheets) or a file of calls to
 * retry (to upload to Trillet). The download itself is download.ts, its state useExportProgress.
 * Its progress shows in one area of fixed size under the button, laid over the page (the header
 * keeps its layout: nothing moves when it appears), with the one Cancel button.
 */
export function ExportMenu({ exportPath, batchId, view, viewLabel = "This view" }: Props) {
  const [bom, setBom] = useState(false);
  const { state, run, cancel, retry } = useExportProgress({ exportPath, batchId, bom });
  const locale = useLocale();
  const [dismissed, setDismissed] = useState<ExportState | null>(null);

  const running = state.phase === "running";
  const items: { filter: ExportFilter; format: ExportFormat; label: string; hint: string; testId: string }[] = [
    { filter: view, format: "report", label: `${viewLabel}: report`, hint: "For spreadsheets", testId: "export-view-report" },
    {
      filter: view,
      format: "retry",
      label: `${viewLabel}: calls to retry`,
      hint: "To upload to Trillet as a new batch",
      testId: "export-view-retry",
    },
    { filter: {}, format: "report", label: "All calls: report", hint: "For spreadsheets", testId: "export-all-report" },
    {
      filter: {},
      format: "retry",
      label: "All calls: calls to retry",
      hint: "To upload to Trillet as a new batch",
      testId: "export-all-retry",
    },
  ];
  const shown = dismissed === state ? null : state;

  return (
    <div className="sm:relative">
      <DropdownMenu>
        <DropdownMenuTrigger asChild>
          <Button variant="outline" size="sm" data-testid="export-menu" disabled={running} aria-label="Export calls as CSV">
            {running ? <Loader2Icon aria-hidden="true" className="animate-spin" /> : <DownloadIcon aria-hidden="true" />} Export
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent align="end" className="w-72">
          <DropdownMenuLabel>Download CSV</DropdownMenuLabel>
          <DropdownMenuGroup>
            {items.map((item) => (
              <DropdownMenuItem
                key={item.testId}
                data-testid={item.testId}
                className="flex-col items-start gap-0.5"
                onSelect={() => void run({ filter: item.filter, format: item.format, label: item.label })}
              >
                <span>{item.label}</span>
                <span className="text-xs text-muted-foreground">{item.hint}</span>
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
      {/* One area of fixed size, laid over the page under the button (right-aligned; the header's
          full width on a phone): showing, updating or hiding it never moves anything. */}
      <div
        role="status"
        aria-live="polite"
        data-testid="export-status"
        data-phase={state.phase}
        className={cn(
          "absolute inset-x-0 top-full z-30 mt-2 sm:inset-x-auto sm:right-0 sm:w-80",
          shown && shown.phase !== "idle"
            ? "min-h-24 rounded-md border bg-popover p-3 text-xs text-popover-foreground shadow-md"
            : "hidden",
        )}
      >
        {shown?.phase === "running" ? (
          <div className="flex flex-col gap-2">
            <span className="min-h-8 tabular-nums" data-testid="export-progress">
              {progressText(shown, locale)}
            </span>
            <Progress
              value={
                shown.rows === 0 && shown.reading?.phase === "reading"
                  ? shown.reading.expected > 0
                    ? Math.min(shown.reading.rows, shown.reading.expected)
                    : null
                  : shown.total
                    ? shown.rows
                    : null
              }
              max={shown.rows === 0 && shown.reading?.phase === "reading" ? shown.reading.expected || 100 : shown.total || 100}
              aria-label={`Export progress: ${shown.label}`}
            />
            <div className="flex min-h-8 items-center justify-between gap-2">
              <span className="text-muted-foreground" data-testid="export-wait">
                {shown.rows === 0 && shown.reading?.phase === "reading" && rateLimited(shown.reading)
                  ? "Trillet limits how fast we can read; waiting for it"
                  : ""}
              </span>
              <Button variant="ghost" size="sm" onClick={cancel} data-testid="export-cancel">
                <XIcon aria-hidden="true" /> Cancel
              </Button>
            </div>
          </div>
        ) : shown?.phase === "limited" || shown?.phase === "failed" ? (
          <div
            className={cn("flex flex-col gap-2", shown.phase === "limited" ? "text-muted-foreground" : "text-destructive")}
            data-testid={shown.phase === "limited" ? "export-limited" : "export-failed"}
          >
            <span>
              {shown.phase === "limited" ? "Export not started" : "Export failed"}: {shown.message}
            </span>
            <div className="flex items-center justify-end gap-2">
              <Button variant="ghost" size="sm" onClick={() => setDismissed(shown)} data-testid="export-dismiss">
                Dismiss
              </Button>
              <Button variant="outline" size="sm" onClick={retry} data-testid="export-retry">
                <RotateCwIcon aria-hidden="true" /> {shown.phase === "limited" ? "Try again" : "Retry"}
              </Button>
            </div>
          </div>
        ) : null}
      </div>
    </div>
  );
}
