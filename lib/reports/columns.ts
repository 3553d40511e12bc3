import type { TrilletCall } from "../trillet/schemas";
import { guardCell } from "./guard";
import { flattenValue } from "./metadata";

// The two layouts of a download. A report has fixed columns then one per metadata key, guarded
// against spreadsheet formulas (it is opened in a spreadsheet). A retry file is Trillet's
// start-batch CSV (phone_number, then the original metadata columns) with every value exactly as
// Trillet listed it: it is uploaded to Trillet, where an added apostrophe would become data.

export const EXPORT_FORMATS = ["report", "retry"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const DAY_MS = 86_400_000;
const days = new Map<number, string>();
const pad = (n: number, width: number) => String(n).padStart(width, "0");

/**
 * Epoch milliseconds as Date#toISOString writes them (UTC, milliseconds, "Z"), for every row of a
 * report: the date part once per calendar day (calls of a batch share a few days), the time of
 * day by arithmetic. toISOString itself costs about 1.5 µs, a third of a row's whole cost.
 */
export function isoUtc(ms: number | null): string {
  if (ms === null) return "";
  const day = Math.floor(ms / DAY_MS);
  let date = days.get(day);
  if (date === undefined) {
    const full = new Date(day * DAY_MS).toISOString(); // throws on an invalid time, as before
    date = full.slice(0, full.indexOf("T") + 1);
    if (days.size >= 4_096) days.clear();
    days.set(day, date);
  }
  let rest = ms - day * DAY_MS;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1_000);
  return `${date}${pad(hours, 2)}:${pad(minutes, 2)}:${pad(seconds, 2)}.${pad(Math.floor(rest - seconds * 1_000), 3)}Z`;
}

/**
 * Metadata keys that would collide with a fixed column get a "metadata." prefix, so the header
 * stays unique and a fixed column is never shadowed.
 */
function metadataHeader(fixed: readonly string[], keys: readonly string[]): string[] {
  const taken = new Set<string>(fixed);
  return keys.map((key) => {
    let name = taken.has(key) ? `metadata.${key}` : key;
    while (taken.has(name)) name = `metadata.${name}`;
    taken.add(name);
    return name;
  });
}

/** One column of a download: its header name (as written) and how a call becomes its cell. */
export interface Column {
  name: string;
  cell(call: TrilletCall): string;
  /** Set on the metadata columns: the key their cell reads (lets the row read them in one loop). */
  metadataKey?: string;
}

export interface ColumnSpec {
  /** The table the header and every row are read from: a header can never drift from its cell. */
  columns: readonly Column[];
  header: string[];
  row(call: TrilletCall): string[];
}

/** A report's fixed columns, in order; every cell a spreadsheet could run is guarded. */
function reportColumns(batchId: string): Column[] {
  const batchCell = guardCell(batchId); // the same for every row: computed once
  return [
    { name: "batch_id", cell: () => batchCell },
    { name: "job_id", cell: (call) => guardCell(call.jobId) },
    { name: "status", cell: (call) => guardCell(call.status) },
    { name: "phone_number", cell: (call) => guardCell(call.phoneNumber) },
    { name: "start_time", cell: (call) => isoUtc(call.startTime) },
    { name: "end_time", cell: (call) => isoUtc(call.endTime) },
    { name: "duration_s", cell: (call) => (call.durationSec === null ? "" : String(call.durationSec)) },
    { name: "error", cell: (call) => guardCell(call.error ?? "") },
  ];
}

/** A report's fixed column names, read from its table. */
export const REPORT_COLUMNS: readonly string[] = reportColumns("").map((c) => c.name);

/** A retry file's fixed column: the number exactly as Trillet listed it (no guard: it goes back to Trillet). */
const RETRY_COLUMNS: readonly Column[] = [{ name: "phone_number", cell: (call) => call.phoneNumber }];

/** One column per metadata key of the batch (the key union, first seen first), appended to the fixed ones. */
function metadataColumns(fixed: readonly Column[], keys: readonly string[], guarded: boolean): Column[] {
  const names = metadataHeader(
    fixed.map((c) => c.name),
    keys,
  );
  return keys.map((key, i) => ({
    name: names[i]!,
    metadataKey: key,
    cell: guarded ? (call) => guardCell(flattenValue(call.metadata[key])) : (call) => flattenValue(call.metadata[key]),
  }));
}

/**
 * The columns of a download as one table of { name, cell }. The header and the row are both read
 * from it. The row runs once per call of a report (100,000s), so it is compiled from the table
 * once: the fixed columns' cells hoisted into an array, the metadata columns (the table's tail)
 * read by key in a plain loop (the same as their cell, without a call per cell); one array per
 * row, no closure made per row.
 */
export function columnSpec(format: ExportFormat, batchId: string, keys: readonly string[]): ColumnSpec {
  const guarded = format === "report";
  const fixed = guarded ? reportColumns(batchId) : RETRY_COLUMNS;
  const columns: readonly Column[] = [...fixed, ...metadataColumns(fixed, keys, guarded)];
  const cells = fixed.map((c) => c.cell);
  const fixedCount = cells.length;
  const metaKeys = columns.slice(fixedCount).map((c) => c.metadataKey!);
  const count = columns.length;
  return {
    columns,
    header: columns.map((c) => (guarded ? guardCell(c.name) : c.name)),
    row: guarded
      ? (call) => {
          const out = new Array<string>(count);
          for (let i = 0; i < fixedCount; i++) out[i] = cells[i]!(call);
          const metadata = call.metadata;
          for (let i = fixedCount; i < count; i++) out[i] = guardCell(flattenValue(metadata[metaKeys[i - fixedCount]!]));
          return out;
        }
      : (call) => {
          const out = new Array<string>(count);
          for (let i = 0; i < fixedCount; i++) out[i] = cells[i]!(call);
          const metadata = call.metadata;
          for (let i = fixedCount; i < count; i++) out[i] = flattenValue(metadata[metaKeys[i - fixedCount]!]);
          return out;
        },
  };
}
