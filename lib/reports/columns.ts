import type { TrilletCall } from "../trillet/schemas";
import { guardCell } from "./guard";
import { flattenValue } from "./metadata";

// The two layouts of a download. A report has fixed columns then one per metadata key; a retry
// file is Trillet's start-batch CSV (phone_number, then the original metadata columns).

export const EXPORT_FORMATS = ["report", "retry"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const REPORT_COLUMNS = ["batch_id", "job_id", "status", "phone_number", "start_time", "end_time", "duration_s", "error"] as const;

const iso = (ms: number | null) => (ms === null ? "" : new Date(ms).toISOString());

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

export interface ColumnSpec {
  header: string[];
  row(call: TrilletCall): string[];
}

export function columnSpec(format: ExportFormat, batchId: string, keys: readonly string[]): ColumnSpec {
  const meta = (call: TrilletCall) => keys.map((key) => guardCell(flattenValue((call.metadata as Record<string, unknown>)[key])));
  if (format === "retry") {
    return {
      header: ["phone_number", ...metadataHeader(["phone_number"], keys)].map(guardCell),
      row: (call) => [guardCell(call.phoneNumber), ...meta(call)],
    };
  }
  return {
    header: [...REPORT_COLUMNS, ...metadataHeader(REPORT_COLUMNS, keys)].map(guardCell),
    row: (call) => [
      guardCell(batchId),
      guardCell(call.jobId),
      guardCell(call.status),
      guardCell(call.phoneNumber),
      iso(call.startTime),
      iso(call.endTime),
      call.durationSec === null ? "" : String(call.durationSec),
      guardCell(call.error ?? ""),
      ...meta(call),
    ],
  };
}
