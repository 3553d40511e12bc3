import { readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { Readable } from "node:stream";
import v8 from "node:v8";
import vm from "node:vm";
import { and, eq } from "drizzle-orm";
import Papa from "papaparse";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { claimNextSync, requestSync, runSync } from "@/lib/batches/mirror-sync";
import { upsertCalls } from "@/lib/batches/mirror-store";
import type { Database } from "@/lib/db";
import { auditEvents, mirrorSyncs } from "@/lib/db/schema";
import { REPORT_COLUMNS } from "@/lib/reports/columns";
import { guardCell } from "@/lib/reports/guard";
import { runExport } from "@/lib/reports/export";
import type { SandboxCall } from "@/lib/sandbox/types";
import { createWorkspace, type Workspace } from "@/lib/workspaces";
import { openTestDatabase, usingPostgres } from "../support/db";
import { startTestSandbox, TEST_KEY, TEST_WORKSPACE, type RunningSandbox } from "../support/sandbox";
import { OWASP_PAYLOADS } from "../support/owasp";

// A forced GC (every few thousand rows of the large export) separates what the stream retains
// from garbage V8 has not collected yet.
v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

let handle: Awaited<ReturnType<typeof openTestDatabase>>;
let db: Database;
let sb: RunningSandbox;
let workspace: Workspace;
const actor = { id: null, email: "exporter@example.test" };

beforeAll(async () => {
  handle = await openTestDatabase();
  db = handle.db;
  sb = await startTestSandbox();
  const info = await createWorkspace(db, { slug: "exports", name: "Exports", baseUrl: sb.url, apiKey: TEST_KEY, trilletWorkspaceId: TEST_WORKSPACE });
  workspace = { ...info, gateway: sb.gateway() };
});
afterAll(async () => {
  await handle.dispose();
  await sb.close();
});
beforeEach(() => {
  sb.sandbox.setFaults([]);
  sb.sandbox.setLatency(0);
  sb.sandbox.resetStats();
});

const exportOf = (batchId: string, query = "", ws: Workspace = workspace, signal?: AbortSignal) =>
  runExport({ db, workspace: ws, actor, batchId, params: new URLSearchParams(query), signal });

interface Parsed {
  header: string[];
  rows: string[][];
  bytes: number;
  peakRssGrowth: number;
  peakHeapGrowth: number;
  ms: number;
}

/**
 * Reads the response body as a stream through papaparse's own streaming parser (independent of
 * the writer's library), sampling RSS meanwhile. `onRow` lets a large test check rows as they
 * arrive instead of keeping them.
 */
async function parse(response: Response, onRow?: (row: string[]) => void, gcEvery = 0): Promise<Parsed> {
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
  expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="[A-Za-z0-9_-]+\.csv"/);
  if (gcEvery) gc();
  const started = performance.now();
  const baseline = process.memoryUsage();
  let peak = baseline.rss;
  let peakHeap = baseline.heapUsed;
  const sample = () => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const sampler = setInterval(sample, gcEvery ? 1_000_000 : 25);
  let bytes = 0;
  const counted = Readable.fromWeb(response.body! as import("node:stream/web").ReadableStream<Uint8Array>).map((chunk: Buffer) => {
    bytes += chunk.length;
    return chunk;
  });
  const parser = counted.pipe(Papa.parse(Papa.NODE_STREAM_INPUT, { skipEmptyLines: true }));
  counted.on("error", (e) => parser.destroy(e));
  let header: string[] | null = null;
  const rows: string[][] = [];
  let count = 0;
  try {
    for await (const row of parser as AsyncIterable<string[]>) {
      if (!header) header = row;
      else if (onRow) {
        onRow(row);
        if (gcEvery && ++count % gcEvery === 0) {
          gc();
          sample();
        }
      }
      else rows.push(row);
    }
  } finally {
    clearInterval(sampler);
  }
  sample();
  return {
    header: header ?? [],
    rows,
    bytes,
    peakRssGrowth: peak - baseline.rss,
    peakHeapGrowth: peakHeap - baseline.heapUsed,
    ms: performance.now() - started,
  };
}

function keysOf(calls: SandboxCall[]): string[] {
  const keys = new Set<string>();
  for (const c of calls) for (const k of Object.keys(c.metadata)) keys.add(k);
  return [...keys];
}

/** The mirror's key order: first-seen row, then jsonb's order within a row (shorter first, then bytewise). */
function mirrorKeysOf(calls: SandboxCall[]): string[] {
  const first = new Map<string, number>();
  calls.forEach((c, i) => Object.keys(c.metadata).forEach((k) => first.has(k) || first.set(k, i)));
  const bytes = (k: string) => Buffer.byteLength(k);
  return [...first.keys()].sort((a, b) => first.get(a)! - first.get(b)! || bytes(a) - bytes(b) || Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

const iso = (ms?: number) => (ms === undefined ? "" : new Date(ms).toISOString());

function expectedReport(batchId: string, call: SandboxCall, keys: string[]): string[] {
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

function compareReport(batchId: string, parsed: Parsed, truth: SandboxCall[], fromMirror = false) {
  const keys = fromMirror ? mirrorKeysOf(truth) : keysOf(truth);
  expect(parsed.header).toEqual([...REPORT_COLUMNS, ...keys]);
  const byJob = new Map(parsed.rows.map((r) => [r[1]!, r]));
  expect(byJob.size).toBe(parsed.rows.length); // each job once
  expect(parsed.rows.length).toBe(truth.length);
  for (const call of truth) expect(byJob.get(call.jobId)).toEqual(expectedReport(batchId, call, keys));
}

async function syncUntilFrozen(batchId: string) {
  await requestSync(db, workspace.id, batchId);
  for (let run = 0; run < 20; run++) {
    const job = await claimNextSync(db, "export-test");
    if (!job) continue;
    const outcome = await runSync(db, workspace.gateway, job, { limitPerMinute: 6_000_000, minSpacingMs: 0 });
    if (outcome.frozen) return;
  }
  throw new Error(`${batchId} not frozen`);
}

async function lastAudit() {
  const rows = await db.select().from(auditEvents).where(eq(auditEvents.actorEmail, actor.email));
  return rows.sort((a, b) => Number(a.id) - Number(b.id)).at(-1) ?? null;
}

describe(`CSV exports (${usingPostgres() ? "PostgreSQL" : "PGlite"})`, () => {
  it("rejects malformed parameters with a 400 message, and an unknown batch with a 404", async () => {
    for (const query of ["status=bogus", "format=pdf", "bom=yes", "format=retry&status=completed", "q=" + "x".repeat(201)]) {
      const response = await exportOf("demo-finished", query);
      expect(response.status).toBe(400);
      expect((await response.json()).error).toEqual(expect.any(String));
    }
    const missing = await exportOf("no-such-batch");
    expect(missing.status).toBe(404);
    expect(await lastAudit()).toMatchObject({ action: "export.failed", target: "no-such-batch" });
  });

  it("exports a finished batch (walked from Trillet) field by field, and audits it", async () => {
    const parsed = await parse(await exportOf("demo-finished"));
    compareReport("demo-finished", parsed, sb.sandbox.truth("demo-finished")!);
    expect(sb.sandbox.stats().requests).toBeGreaterThan(0);
    expect(await lastAudit()).toMatchObject({
      action: "export.completed",
      target: "demo-finished",
      detail: { rows: 150, format: "report", source: "trillet", filter: { status: "all", reason: null, q: null } },
    });
  });

  it("exports the failed calls only, as a report and as a retry file in Trillet's start-batch layout", async () => {
    const truth = sb.sandbox.truth("demo-failing")!;
    const failed = truth.filter((c) => c.status === "failed");
    const report = await parse(await exportOf("demo-failing", "status=failed"));
    expect(report.rows.length).toBe(failed.length);
    expect(report.rows.every((r) => r[2] === "failed")).toBe(true);
    const keys = keysOf(truth);
    expect(report.header).toEqual([...REPORT_COLUMNS, ...keysOf(failed)]);
    const byJob = new Map(report.rows.map((r) => [r[1]!, r]));
    for (const call of failed) expect(byJob.get(call.jobId)).toEqual(expectedReport("demo-failing", call, keysOf(failed)));

    const response = await exportOf("demo-failing", "format=retry");
    expect(response.headers.get("content-disposition")).toMatch(/demo-failing_retry_\d{8}T\d{4}Z\.csv/);
    const retry = await parse(response);
    expect(retry.header).toEqual(["phone_number", ...keysOf(failed)]);
    expect(retry.rows).toEqual(failed.map((c) => [guardCell(c.phone_number), ...keysOf(failed).map((k) => guardCell(c.metadata[k] ?? ""))]));
    expect(keys.length).toBeGreaterThan(0);

    // One reason, filtered in TypeScript on walked rows as the mirror filters (reason key).
    const busy = await parse(await exportOf("demo-failing", "format=retry&reason=number%20busy"));
    expect(busy.rows.length).toBe(failed.filter((c) => c.error?.trim().toLowerCase().replace(/[.!]+$/, "") === "number busy").length);
    expect(busy.rows.length).toBeGreaterThan(0);
  });

  it("exports the live batch while it moves: each job exactly once", async () => {
    sb.sandbox.restartLive(30);
    sb.sandbox.setLiveSpeed(200);
    sb.sandbox.setLatency(5);
    try {
      const parsed = await parse(await exportOf("demo-live"));
      const truth = sb.sandbox.truth("demo-live")!;
      const ids = parsed.rows.map((r) => r[1]!);
      expect(new Set(ids).size).toBe(ids.length);
      expect(new Set(ids)).toEqual(new Set(truth.map((c) => c.jobId)));
      // What cannot move (phone, metadata) matches field by field.
      const keys = keysOf(truth);
      const byJob = new Map(parsed.rows.map((r) => [r[1]!, r]));
      for (const call of truth) {
        const row = byJob.get(call.jobId)!;
        expect(row[3]).toBe(guardCell(call.phone_number));
        expect(row.slice(REPORT_COLUMNS.length)).toEqual(keys.map((k) => guardCell(call.metadata[k] ?? "")));
      }
    } finally {
      sb.sandbox.setLiveSpeed(1);
    }
  });

  it("exports the empty batch as a header row only", async () => {
    const response = await exportOf("demo-empty");
    const text = await response.text();
    expect(text).toBe(`${REPORT_COLUMNS.join(",")}\r\n`);
    const bom = await (await exportOf("demo-empty", "bom=1")).arrayBuffer();
    expect([...new Uint8Array(bom).slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });

  it("fails the download visibly when the walk fails midway, and audits the failure", async () => {
    const fragile = { ...workspace, gateway: sb.gateway({ maxRetries: 0 }) };
    sb.sandbox.setFaults([{ kind: "5xx", rate: 1, batchId: "demo-large", afterRequests: 3 }]);
    const response = await exportOf("demo-large", "", fragile);
    expect(response.status).toBe(200); // the first page answered; the failure comes later
    const error = await parse(response).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(await lastAudit()).toMatchObject({
      action: "export.failed",
      target: "demo-large",
      detail: { rows: 0, reason: expect.stringMatching(/Trillet/) },
    });
  });

  it("records a cancelled download as failed and stops the walk", async () => {
    sb.sandbox.setLatency(50);
    const abort = new AbortController();
    const response = await exportOf("demo-large", "", workspace, abort.signal);
    const reader = response.body!.getReader();
    const pending = reader.read().catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 200));
    abort.abort();
    await reader.cancel();
    await pending;
    await new Promise((r) => setTimeout(r, 200));
    const requests = sb.sandbox.stats().requests;
    await new Promise((r) => setTimeout(r, 300));
    expect(sb.sandbox.stats().requests).toBe(requests);
    expect(await lastAudit()).toMatchObject({ action: "export.failed", target: "demo-large", detail: { reason: "The download was cancelled." } });
  });

  it("leaves no spool file behind (completed, failed and cancelled walks alike)", async () => {
    await new Promise((r) => setTimeout(r, 200));
    expect((await readdir(tmpdir())).filter((name) => name.startsWith("batchboard-export-"))).toEqual([]);
  });

  it("neutralises the OWASP formula payloads and keeps phone numbers and non-Latin text byte for byte", async () => {
    const batchId = "crafted-frozen";
    const texts = ["Zoë Ålander", "山田 太郎", "Ελένη Παπαδοπούλου", "محمد", "Пётр", "😀 emoji", 'quote " and, comma', "line\nbreak", "cr\rinside"];
    const calls = [...OWASP_PAYLOADS, ...texts].map((value, i) => ({
      jobId: `job-${i}`,
      status: i % 2 ? "failed" : "completed",
      phoneNumber: i === 0 ? "=1+1" : i === 1 ? "+1 415 555 0100" : `+44207183${String(8750 + i)}`,
      startTime: Date.UTC(2026, 0, 1, 10, 0, i),
      endTime: Date.UTC(2026, 0, 1, 10, 1, i),
      durationSec: i % 2 ? null : 60 + i / 10,
      error: i % 2 ? value : null,
      metadata: { note: value, [i === 3 ? "=key" : "first_name"]: texts[i % texts.length]! },
    }));
    await upsertCalls(db, workspace.id, batchId, calls, 1);
    await db.insert(mirrorSyncs).values({ workspaceId: workspace.id, batchId, state: "done", frozen: true, lastSuccessAt: new Date() });

    const response = await exportOf(batchId);
    expect(response.headers.get("x-export-source")).toBe("mirror");
    const parsed = await parse(response);
    expect(sb.sandbox.stats().requests).toBe(0);
    expect(parsed.header).toEqual([...REPORT_COLUMNS, "note", "first_name", "'=key"]);
    expect(parsed.rows.length).toBe(calls.length);
    parsed.rows.forEach((row, i) => {
      const call = calls[i]!;
      const value = i < OWASP_PAYLOADS.length ? OWASP_PAYLOADS[i]! : texts[i - OWASP_PAYLOADS.length]!;
      // Every formula payload comes out with a leading quote; everything else byte for byte.
      const shown = i < OWASP_PAYLOADS.length ? `'${value}` : value;
      expect(row[7]).toBe(call.error === null ? "" : shown);
      expect(row[8]).toBe(shown);
      expect(row[3]).toBe(i === 0 ? "'=1+1" : i === 1 ? "'+1 415 555 0100" : call.phoneNumber); // not E.164: guarded
      expect(Buffer.from(row[i === 3 ? 10 : 9]!, "utf8")).toEqual(Buffer.from(texts[i % texts.length]!, "utf8"));
    });
    for (const row of parsed.rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r](?!\d{1,14}$)/);
  });

  it("exports a frozen mirror with zero upstream requests; 100,000 calls stream with flat memory", async () => {
    const syncStart = performance.now();
    await syncUntilFrozen("demo-finished");
    await syncUntilFrozen("demo-large");
    const syncMs = performance.now() - syncStart;
    sb.sandbox.resetStats();

    const small = await exportOf("demo-finished");
    expect(small.headers.get("x-export-source")).toBe("mirror");
    compareReport("demo-finished", await parse(small), sb.sandbox.truth("demo-finished")!, true);

    const truth = sb.sandbox.truth("demo-large")!;
    const keys = mirrorKeysOf(truth);
    const byJob = new Map(truth.map((c) => [c.jobId, c]));
    const seen = new Set<string>();
    let mismatches = 0;
    const response = await exportOf("demo-large");
    expect(response.headers.get("x-export-total")).toBe(String(truth.length));
    const parsed = await parse(
      response,
      (row) => {
        const call = byJob.get(row[1]!);
        if (!call || seen.has(row[1]!) || JSON.stringify(row) !== JSON.stringify(expectedReport("demo-large", call, keys))) mismatches++;
        seen.add(row[1]!);
      },
      5_000,
    );
    expect(parsed.header).toEqual([...REPORT_COLUMNS, ...keys]);
    expect(mismatches).toBe(0);
    expect(seen.size).toBe(truth.length);
    expect(sb.sandbox.stats().requests).toBe(0);
    const rowsPerSecond = Math.round(truth.length / (parsed.ms / 1000));
    console.log(
      `[export] demo-large from the mirror (${usingPostgres() ? "PostgreSQL" : "PGlite"}): ${truth.length} rows, ` +
        `${(parsed.bytes / 1e6).toFixed(1)} MB in ${(parsed.ms / 1000).toFixed(1)} s = ${rowsPerSecond} rows/s; ` +
        `peak RSS growth ${(parsed.peakRssGrowth / 1e6).toFixed(1)} MB (JS heap ${(parsed.peakHeapGrowth / 1e6).toFixed(1)} MB); sync took ${(syncMs / 1000).toFixed(1)} s`,
    );
    // Flat: far less than the file itself (a buffered export would hold it all, and more).
    expect(parsed.peakRssGrowth).toBeLessThan(Math.max(parsed.bytes, 64e6));
    const audit = await lastAudit();
    expect(audit).toMatchObject({ action: "export.completed", target: "demo-large", detail: { rows: truth.length, source: "mirror" } });
    const [sync] = await db.select().from(mirrorSyncs).where(and(eq(mirrorSyncs.workspaceId, workspace.id), eq(mirrorSyncs.batchId, "demo-large")));
    expect(sync?.frozen).toBe(true);
  }, 180_000);
});
