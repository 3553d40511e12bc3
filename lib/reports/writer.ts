import Papa from "papaparse";

import type { TrilletCall } from "../trillet/schemas";
import type { ColumnSpec } from "./columns";

// The streaming CSV writer: RFC 4180 (CRLF, quotes doubled, fields holding a comma, a quote or a
// line break quoted) by Papa Parse's unparse, one chunk per batch of calls, pulled only as fast as
// the reader reads, so memory holds one chunk whatever the size of the report. (Papa Parse writes
// 100,000 report rows in about 0.2 s on this machine, csv-stringify in about 1 s.)

const BOM = "\uFEFF";
const CRLF = "\r\n";

/** Records as CSV text, each ending in CRLF. */
export function csvRecords(rows: string[][]): string {
  if (rows.length === 0) return "";
  // A one-column record whose only field is empty would be a blank line, which readers skip:
  // quote it ("") so the row survives.
  const quotes = rows[0]!.length === 1 ? (value: unknown) => value === "" : false;
  return Papa.unparse(rows, { newline: CRLF, quotes }) + CRLF;
}

export interface CsvStreamHooks {
  /** After the last byte was handed over: the number of data rows written. */
  onComplete?(rows: number): void | Promise<void>;
  /** The source failed: the stream errors (the download fails, never ends short). */
  onError?(error: unknown, rows: number): void | Promise<void>;
  /** The reader went away (cancelled download). */
  onCancel?(reason: unknown, rows: number): void | Promise<void>;
}

export interface CsvSource {
  spec: ColumnSpec;
  calls: AsyncIterable<TrilletCall[]>;
}

/** Bytes of a download and the data rows they complete (header and cached bytes count none). */
export interface CsvChunk {
  bytes: Uint8Array;
  rows: number;
}

/** Where a copy of the CSV goes as it is sent (the export cache); kept only when it completes. */
export interface CsvCopy {
  write(bytes: Uint8Array): Promise<void>;
  commit(rows: number): Promise<void>;
  discard(): Promise<void>;
}

// Buffer.from: the same UTF-8 as TextEncoder, several times faster on large strings in Node.
const encode = (text: string): Uint8Array => Buffer.from(text, "utf8");

/**
 * The CSV of a source: header row, then the rows of every batch of calls it yields. `open` runs on
 * the first read (a walk spools there before the header, which needs every key).
 */
export async function* renderCsv(open: () => Promise<CsvSource>): AsyncGenerator<CsvChunk> {
  const source = await open();
  yield { bytes: encode(csvRecords([source.spec.header])), rows: 0 };
  for await (const calls of source.calls) {
    if (calls.length) yield { bytes: encode(csvRecords(calls.map(source.spec.row))), rows: calls.length };
  }
}

/**
 * A download's byte stream, pulled only as fast as the reader reads. A source that throws errors
 * the stream (controller.error), so the reader sees a failed download, never a short file; so does
 * `signal` aborting (the server shutting down), at once.
 */
export function csvStream(
  chunks: () => AsyncIterator<CsvChunk>,
  options: { bom?: boolean; copy?: CsvCopy | null; signal?: AbortSignal } & CsvStreamHooks = {},
): ReadableStream<Uint8Array> {
  let source: AsyncIterator<CsvChunk> | null = null;
  let rows = 0;
  let finished = false;
  let started = false;
  let stopped = false;
  const copy = options.copy ?? null;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        // Stopped from outside (the server shutting down): the download fails now, even while
        // the reader is not pulling, rather than whenever the next chunk would have been read.
        options.signal?.addEventListener(
          "abort",
          () => {
            if (finished) return;
            finished = true;
            stopped = true;
            const reason: unknown = options.signal?.reason;
            void (async () => {
              try {
                await copy?.discard();
                await options.onError?.(reason, rows);
              } finally {
                controller.error(reason);
                await source?.return?.(undefined).catch(() => {});
              }
            })();
          },
          { once: true },
        );
      },
      async pull(controller) {
        if (finished) return;
        try {
          if (!started) {
            // An empty first chunk makes the server send the status and headers now, before a
            // walk spools for minutes: the browser sees the download begin (and, should the walk
            // fail, a broken response it cannot mistake for an empty reply to retry).
            started = true;
            controller.enqueue(new Uint8Array(0));
            if (options.bom) controller.enqueue(encode(BOM));
            return;
          }
          source ??= chunks();
          for (;;) {
            const step = await source.next();
            // Stopped while this read was waiting: the stream has already failed.
            if (stopped) return;
            if (step.done) {
              finished = true;
              await copy?.commit(rows);
              await options.onComplete?.(rows);
              controller.close();
              return;
            }
            rows += step.value.rows;
            if (step.value.bytes.byteLength === 0) continue;
            await copy?.write(step.value.bytes);
            controller.enqueue(step.value.bytes);
            return;
          }
        } catch (error) {
          const first = !finished;
          finished = true;
          try {
            if (!stopped) await copy?.discard();
            if (first) await options.onError?.(error, rows);
          } finally {
            controller.error(error);
          }
        }
      },
      async cancel(reason) {
        if (finished) return;
        finished = true;
        try {
          await copy?.discard();
          await options.onCancel?.(reason, rows);
        } finally {
          await source?.return?.();
        }
      },
    },
    { highWaterMark: 0 },
  );
}
