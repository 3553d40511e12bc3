// The export download as a plain module (no React): start it through fetch, trace its progress
// (the progress route while it reads Trillet, then rows as the CSV arrives), cancel it, and fail
// visibly: a file is saved only once the server ended the stream cleanly, never a short one.

import { exportQuery, type ExportFilter, type ExportFormat } from "@/lib/batches/view-query";

import { CsvRecordCounter, fileNameOf } from "./csv-progress";

export type { ExportFilter, ExportFormat };

/** What the progress route answers while an export reads Trillet (lib/reports/progress.ts). */
export interface Reading {
  phase: "reading" | "writing" | "done" | "failed";
  pagesDone: number;
  totalPages: number;
  /** Calls read so far, and the calls the walk expects. */
  rows: number;
  expected: number;
  budget: { limitPerMinute: number; left: number; pausedUntil: number | null };
}

export const INTERRUPTED = "The server stopped before the file was complete (the batch could not be read to the end). Nothing was saved.";

/** The server refused to start a walking export: too many already share the workspace's budget (429). */
export class ExportLimitError extends Error {}

const POLL_MS = 1_000;

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

export interface DownloadProgress {
  /** CSV rows received so far. */
  rows: number;
  /** Rows the file will hold (x-export-total), when known. */
  total: number | null;
  /** The walk's last progress, while the export reads Trillet. */
  reading: Reading | null;
}

export interface DownloadOptions {
  /** /api/w/{workspace}/batches/{batchId}/export */
  exportPath: string;
  batchId: string;
  filter: ExportFilter;
  format: ExportFormat;
  bom: boolean;
  /** Aborting it cancels the download (the server stops its walk). */
  signal: AbortSignal;
  onProgress: (progress: DownloadProgress) => void;
}

/**
 * Runs one export download to its end: resolves with the rows saved, rejects with an Error whose
 * message is for the user (an ExportLimitError for a 429 of the export slots), or with the abort's
 * reason when cancelled.
 */
export async function downloadExport(options: DownloadOptions): Promise<{ rows: number }> {
  const { exportPath, signal, onProgress } = options;
  // Ends every progress poll with the run: an answer arriving after the download ended (done,
  // failed or cancelled) must not report "reading" again.
  const polling = new AbortController();
  const cancelPolling = () => polling.abort();
  signal.addEventListener("abort", cancelPolling, { once: true });
  let pollTimer: ReturnType<typeof setTimeout> | undefined;
  try {
    const response = await fetch(`${exportPath}${exportQuery(options.filter, { format: options.format, bom: options.bom })}`, {
      signal,
      cache: "no-store",
    }).catch((error: unknown) => {
      if (signal.aborted) throw error;
      throw new Error(INTERRUPTED);
    });
    if (!response.ok || !response.body) {
      const body = (await response.json().catch(() => null)) as { error?: string; kind?: string } | null;
      const message = body?.error || `The server answered HTTP ${response.status}.`;
      // Its message says how many run and when to try again.
      throw response.status === 429 && body?.kind === "export_limit" ? new ExportLimitError(message) : new Error(message);
    }
    const totalHeader = response.headers.get("x-export-total");
    const total = totalHeader === null ? null : Number(totalHeader);
    const counter = new CsvRecordCounter();
    let reading: Reading | null = null;
    // An export that walks Trillet reads the whole batch before its first row: its progress
    // (pages, calls, budget) comes from the progress route until rows arrive.
    const exportId = response.headers.get("x-export-id");
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
        if (counter.rows === 0) onProgress({ rows: 0, total, reading });
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
        if (signal.aborted) throw error;
        throw new Error(INTERRUPTED);
      }
      if (step.done) break;
      parts.push(new Uint8Array(step.value));
      counter.push(decoder.decode(step.value, { stream: true }));
      const now = performance.now();
      if (now - lastUpdate > 100) {
        lastUpdate = now;
        onProgress({ rows: counter.rows, total, reading });
      }
    }
    counter.push(decoder.decode());
    polling.abort();
    save(parts, fileNameOf(response.headers.get("content-disposition"), `${options.batchId}.csv`));
    return { rows: counter.rows };
  } finally {
    polling.abort();
    signal.removeEventListener("abort", cancelPolling);
    clearTimeout(pollTimer);
  }
}
