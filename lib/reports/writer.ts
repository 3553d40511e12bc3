import { stringify } from "csv-stringify/sync";
import type { TrilletCall } from "../trillet/schemas";
import type { ColumnSpec } from "./columns";

// The streaming CSV writer: RFC 4180 (CRLF, quotes doubled, fields with separators or line breaks
// quoted) by csv-stringify, one chunk per batch of calls, pulled only as fast as the reader reads,
// so memory holds one chunk whatever the size of the report.

const BOM = "\uFEFF";
// quote_record_delimiter: a lone \n or \r in a value is quoted too (the default only when record_delimiter is unset).
const OPTIONS = { record_delimiter: "windows", quote_record_delimiter: true, eof: true } as const;

export function csvRecords(rows: string[][]): string {
  return rows.length ? stringify(rows, OPTIONS) : "";
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

/**
 * A byte stream of the CSV: header row, then the rows of every batch of calls the source yields.
 * `open` runs on the first read (a walk spools there before the header, which needs every key).
 * A source that throws errors the stream (controller.error), so the reader sees a failed download.
 */
export function csvStream(open: () => Promise<CsvSource>, options: { bom?: boolean } & CsvStreamHooks = {}): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let source: { spec: ColumnSpec; iterator: AsyncIterator<TrilletCall[]> } | null = null;
  let rows = 0;
  let finished = false;
  let started = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          if (!source && !started) {
            // An empty first chunk makes the server send the status and headers now, before a
            // walk spools for minutes: the browser sees the download begin (and, should the walk
            // fail, a broken response it cannot mistake for an empty reply to retry).
            started = true;
            controller.enqueue(new Uint8Array(0));
            return;
          }
          if (!source) {
            const opened = await open();
            source = { spec: opened.spec, iterator: opened.calls[Symbol.asyncIterator]() };
            controller.enqueue(encoder.encode((options.bom ? BOM : "") + csvRecords([opened.spec.header])));
            return;
          }
          for (;;) {
            const step = await source.iterator.next();
            if (step.done) {
              finished = true;
              await options.onComplete?.(rows);
              controller.close();
              return;
            }
            if (step.value.length === 0) continue;
            rows += step.value.length;
            controller.enqueue(encoder.encode(csvRecords(step.value.map(source.spec.row))));
            return;
          }
        } catch (error) {
          const first = !finished;
          finished = true;
          try {
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
          await options.onCancel?.(reason, rows);
        } finally {
          await source?.iterator.return?.();
        }
      },
    },
    { highWaterMark: 0 },
  );
}
