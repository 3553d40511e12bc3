import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";

import { parse as csvParse } from "csv-parse";
import { eq } from "drizzle-orm";
import { expect } from "vitest";

import type { Database } from "@/lib/db";
import { auditEvents } from "@/lib/db/schema";
import { REPORT_COLUMNS } from "@/lib/reports/columns";
import { guardCell } from "@/lib/reports/guard";
import type { SandboxCall } from "@/lib/sandbox/types";

// Reading and checking CSV exports, shared by the export test files. How much memory an export
// holds is measured by the benchmarks (tests/bench/mirror.ts), not here.

/** Who the export tests export as (audit events are looked up by this email). */
export const EXPORT_ACTOR = { id: null, email: "exporter@example.test" };

export const bytesOf = async (response: Response) => Buffer.from(await response.arrayBuffer());

export interface Parsed {
  header: string[];
  rows: string[][];
  bytes: number;
}

/**
 * Reads the response body as a stream through csv-parse's streaming parser (independent of the
 * writer's library, Papa Parse), strict: every record as long as the header, no blank lines.
 */
export async function parseCsv(response: Response): Promise<Parsed> {
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
  expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="[A-Za-z0-9_-]+\.csv"/);
  let bytes = 0;
  const counted = Readable.fromWeb(response.body! as WebReadableStream<Uint8Array>).map((chunk: Buffer) => {
    bytes += chunk.length;
    return chunk;
  });
  const parser = counted.pipe(csvParse({ bom: true }));
  counted.on("error", (e) => parser.destroy(e));
  let header: string[] | null = null;
  const rows: string[][] = [];
  for await (const row of parser as AsyncIterable<string[]>) {
    if (!header) header = row;
    else rows.push(row);
  }
  return { header: header ?? [], rows, bytes };
}

/** The metadata keys of these calls, first seen first (the export's column order). */
export function keysOf(calls: SandboxCall[]): string[] {
  const keys = new Set<string>();
  for (const c of calls) for (const k of Object.keys(c.metadata)) keys.add(k);
  return [...keys];
}

const iso = (ms?: number) => (ms === undefined ? "" : new Date(ms).toISOString());

/** The report row the export must write for this sandbox call. */
export function expectedReport(batchId: string, call: SandboxCall, keys: string[]): string[] {
  return [
    batchId,
    call.jobId,
    call.status,
    guardCell(call.phone_number),
    iso(call.startTime),
    iso(call.endTime),
    call.duration === undefined ? "" : String(call.duration),
    guardCell(call.error ?? ""),
    ...keys.map((k) => guardCell(call.metadata[k] ?? "")),
  ];
}

/** The parsed report holds every call of `truth` once, field by field. */
export function compareReport(batchId: string, parsed: Parsed, truth: SandboxCall[]) {
  const keys = keysOf(truth);
  expect(parsed.header).toEqual([...REPORT_COLUMNS, ...keys]);
  const byJob = new Map(parsed.rows.map((r) => [r[1]!, r]));
  expect(byJob.size).toBe(parsed.rows.length); // each job once
  expect(parsed.rows.length).toBe(truth.length);
  for (const call of truth) expect(byJob.get(call.jobId)).toEqual(expectedReport(batchId, call, keys));
}

/** The latest audit event of EXPORT_ACTOR. */
export async function lastExportAudit(db: Database) {
  const rows = await db.select().from(auditEvents).where(eq(auditEvents.actorEmail, EXPORT_ACTOR.email));
  return rows.sort((a, b) => Number(a.id) - Number(b.id)).at(-1) ?? null;
}
