import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import v8 from "node:v8";
import vm from "node:vm";

import { parse as csvParse } from "csv-parse";
import { and, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";

import type { Database } from "@/lib/db";
import { auditEvents, mirrorSyncs } from "@/lib/db/schema";
import { upsertCalls } from "@/lib/mirror/store";
import { ExportCache } from "@/lib/reports/cache";
import { REPORT_COLUMNS } from "@/lib/reports/columns";
import { runExport, warmExportCache } from "@/lib/reports/export";
import { guardCell } from "@/lib/reports/guard";
import { readExportProgress } from "@/lib/reports/progress";
import { mirrorExport } from "@/lib/reports/sources";
import type { SandboxCall } from "@/lib/sandbox/types";
import { createWorkspace, type Workspace } from "@/lib/workspaces";

import { openTestDatabase, usingPostgres } from "../support/db";
import { syncUntilFrozen as syncUntilFrozenOn } from "../support/mirror";
import { OWASP_PAYLOADS } from "../support/owasp";
import { startTestSandbox, TEST_KEY, TEST_WORKSPACE, type RunningSandbox } from "../support/sandbox";

// A forced GC (every few thousand rows of the large export) separates what the stream retains
// from garbage V8 has not collected yet.
v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

let handle: Awaited<ReturnType<typeof openTestDatabase>>;
let db: Database;
let sb: RunningSandbox;
let workspace: Workspace;
const actor = { id: null, email: "exporter@example.test" };
const spoolDirs = async () => new Set((await readdir(tmpdir())).filter((name) => name.startsWith("batchboard-export-")));
// Spool folders that were there before this file ran (another process's, still at work) are not ours.
let spoolsBefore = new Set<string>();

beforeAll(async () => {
  spoolsBefore = await spoolDirs();
  handle = await openTestDatabase();
  db = handle.db;
  sb = await startTestSandbox();
  const info = await createWorkspace(db, {
    slug: "exports",
    name: "Exports",
    baseUrl: sb.url,
    apiKey: TEST_KEY,
    trilletWorkspaceId: TEST_WORKSPACE,
  });
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

const exportOf = (batchId: string, query = "", ws: Workspace = workspace, signal?: AbortSignal, cache?: ExportCache) =>
  runExport({ db, workspace: ws, actor, batchId, params: new URLSearchParams(query), signal, cache });

const bytesOf = async (response: Response) => Buffer.from(await response.arrayBuffer());

interface Parsed {
  header: string[];
  rows: string[][];
  bytes: number;
  peakRssGrowth: number;
  peakHeapGrowth: number;
  ms: number;
}

/**
 * Reads the response body as a stream through csv-parse's streaming parser (independent of the
 * writer's library, Papa Parse), strict: every record as long as the header, no blank lines,
 * sampling RSS meanwhile. `onRow` lets a large test check rows as they
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
  const parser = counted.pipe(csvParse({ bom: true }));
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
      } else rows.push(row);
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

function compareReport(batchId: string, parsed: Parsed, truth: SandboxCall[]) {
  const keys = keysOf(truth);
  expect(parsed.header).toEqual([...REPORT_COLUMNS, ...keys]);
  const byJob = new Map(parsed.rows.map((r) => [r[1]!, r]));
  expect(byJob.size).toBe(parsed.rows.length); // each job once
  expect(parsed.rows.length).toBe(truth.length);
  for (const call of truth) expect(byJob.get(call.jobId)).toEqual(expectedReport(batchId, call, keys));
}

async function lastAudit() {
  const rows = await db.select().from(auditEvents).where(eq(auditEvents.actorEmail, actor.email));
  return rows.sort((a, b) => Number(a.id) - Number(b.id)).at(-1) ?? null;
}

const syncUntilFrozen = (batchId: string) => syncUntilFrozenOn(db, workspace.gateway, workspace.id, batchId);

describe(`CSV exports (${usingPostgres() ? "PostgreSQL" : "PGlite"})`, () => {
  it("rejects malformed parameters with a 400 message, and an unknown batch with a 404", async () => {
    for (const query of ["status=bogus", "format=pdf", "bom=yes", "format=retry&status=completed", "q=" + "x".repeat(201)]) {
      const response = await exportOf("demo-finished", query);
      expect(response.status).toBe(400);
      const { error } = (await response.json()) as { error: string };
      expect(error).toEqual(expect.any(String));
      // Refused attempts are audited too, with what was asked.
      expect(await lastAudit()).toMatchObject({
        action: "export.failed",
        target: "demo-finished",
        detail: { reason: error, rows: 0, query },
      });
    }
    const badId = await exportOf("../etc/passwd");
    expect(badId.status).toBe(400);
    expect(await lastAudit()).toMatchObject({ action: "export.failed", target: "../etc/passwd", detail: { rows: 0 } });
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
    // An upload file for Trillet: every value exactly as Trillet listed it, formula-looking ones too.
    expect(retry.rows).toEqual(failed.map((c) => [c.phone_number, ...keysOf(failed).map((k) => c.metadata[k] ?? "")]));
    const raw = retry.rows.flat();
    for (const trigger of ["=", "+", "-", "@"])
      expect(
        raw.some((v) => v.startsWith(trigger)),
        trigger,
      ).toBe(true);
    expect(raw.some((v) => v.startsWith("'"))).toBe(false);
    // The report of the same calls is for spreadsheets: it keeps the guard.
    expect(report.rows.flat().some((v) => /^'[=+\-@]/.test(v))).toBe(true);
    expect(keys.length).toBeGreaterThan(0);

    // One reason, filtered in TypeScript on walked rows as the mirror filters (reason key).
    const busy = await parse(await exportOf("demo-failing", "format=retry&reason=number%20busy"));
    expect(busy.rows.length).toBe(
      failed.filter(
        (c) =>
          c.error
            ?.trim()
            .toLowerCase()
            .replace(/[.!]+$/, "") === "number busy",
      ).length,
    );
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
      // The walk filled the mirror but a running batch's copy is not final: the runner gets the job back.
      const live = and(eq(mirrorSyncs.workspaceId, workspace.id), eq(mirrorSyncs.batchId, "demo-live"));
      expect((await db.select().from(mirrorSyncs).where(live))[0]).toMatchObject({ state: "pending", owner: null, frozen: false });
      await db.delete(mirrorSyncs).where(live); // later tests claim jobs in due order
    } finally {
      sb.sandbox.setLiveSpeed(1);
    }
  });

  it("reports a walking export's progress (pages, budget left) to the user who started it only", async () => {
    sb.sandbox.setLatency(150);
    const response = await exportOf("demo-failing");
    expect(response.headers.get("x-export-source")).toBe("trillet");
    const id = response.headers.get("x-export-id")!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const owner = { userId: actor.id, workspaceId: workspace.id, batchId: "demo-failing" };
    const reading = bytesOf(response); // the walk runs as the body is read
    let seen: ReturnType<typeof readExportProgress> = null;
    for (let i = 0; i < 200 && !(seen && seen.phase === "reading" && seen.pagesDone > 0); i++) {
      await new Promise((r) => setTimeout(r, 10));
      seen = readExportProgress(id, owner);
    }
    expect(seen).toMatchObject({ phase: "reading", totalPages: 5, budget: { limitPerMinute: workspace.gateway.limitPerMinute } });
    expect(seen!.pagesDone).toBeGreaterThan(0);
    expect(seen!.budget.left).toBeLessThan(workspace.gateway.limitPerMinute);
    // Another user, workspace or batch learns nothing about it.
    expect(readExportProgress(id, { ...owner, userId: "00000000-0000-4000-8000-000000000000" })).toBeNull();
    expect(readExportProgress(id, { ...owner, workspaceId: "00000000-0000-4000-8000-000000000000" })).toBeNull();
    expect(readExportProgress(id, { ...owner, batchId: "demo-finished" })).toBeNull();
    await reading;
    expect(readExportProgress(id, owner)).toMatchObject({ phase: "done", pagesDone: 5, totalPages: 5 });
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
    expect(await lastAudit()).toMatchObject({
      action: "export.failed",
      target: "demo-large",
      detail: { reason: "The download was cancelled." },
    });
  });

  it("leaves no spool file behind (completed, failed and cancelled walks alike)", async () => {
    await new Promise((r) => setTimeout(r, 200));
    expect([...(await spoolDirs())].filter((name) => !spoolsBefore.has(name))).toEqual([]);
  });

  it("neutralises the OWASP formula payloads and keeps phone numbers and non-Latin text byte for byte", async () => {
    const batchId = "crafted-frozen";
    const texts = [
      "Zoë Ålander",
      "山田 太郎",
      "Ελένη Παπαδοπούλου",
      "محمد",
      "Пётр",
      "😀 emoji",
      'quote " and, comma',
      "line\nbreak",
      "cr\rinside",
    ];
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
    // Rows copied without a sync have no recorded key list: keys come in jsonb's order (shorter first).
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

  it("reads the mirror in ranges that never drop or repeat calls sharing a row number", async () => {
    // A call first seen where another had been (pages shifted under a live sync) shares its row number.
    const batchId = "shared-row-numbers";
    const call = (i: number) => ({
      jobId: `job-${String(i).padStart(2, "0")}`,
      status: i % 3 ? "completed" : "failed",
      phoneNumber: `+1415555${String(1000 + i)}`,
      startTime: null,
      endTime: null,
      durationSec: null,
      error: i % 3 ? null : "busy",
      metadata: { tag: i % 2 ? "odd" : "even" },
    });
    await upsertCalls(db, workspace.id, batchId, [0, 1, 2, 3, 4, 5, 6].map(call), 0); // rows 0-6
    await upsertCalls(db, workspace.id, batchId, [7, 8, 9].map(call), 2); // rows 2, 3, 4 again
    const all = async (filter: { status?: "all" | "failed"; reason?: string; q?: string }, chunk: number) => {
      const data = await mirrorExport(db, workspace.id, batchId, { status: "all", reason: "", q: "", ...filter }, chunk);
      const ids: string[] = [];
      for await (const calls of data.calls) ids.push(...calls.map((c) => c.jobId));
      return { ids, total: data.total };
    };
    const everyJob = [0, 1, 2, 7, 3, 8, 4, 9, 5, 6].map((i) => call(i).jobId); // row order, then job id
    for (const chunk of [1, 2, 3, 4, 100]) expect(await all({}, chunk)).toEqual({ ids: everyJob, total: 10 });
    const odd = everyJob.filter((id) => Number(id.slice(4)) % 2 === 1);
    for (const chunk of [1, 2, 3]) expect(await all({ q: "odd" }, chunk)).toEqual({ ids: odd, total: odd.length });
    const failed = everyJob.filter((id) => Number(id.slice(4)) % 3 === 0);
    for (const chunk of [1, 2]) {
      expect(await all({ status: "failed" }, chunk)).toEqual({ ids: failed, total: failed.length });
      expect(await all({ reason: "busy" }, chunk)).toEqual({ ids: failed, total: failed.length });
    }
  });

  it("exports a frozen mirror with zero upstream requests; 100,000 calls stream with flat memory", async () => {
    const syncStart = performance.now();
    await syncUntilFrozen("demo-finished");
    await syncUntilFrozen("demo-large");
    const syncMs = performance.now() - syncStart;
    sb.sandbox.resetStats();

    const small = await exportOf("demo-finished");
    expect(small.headers.get("x-export-source")).toBe("mirror");
    // The sync kept each call's own key order: the same columns as a walk gives.
    compareReport("demo-finished", await parse(small), sb.sandbox.truth("demo-finished")!);

    const truth = sb.sandbox.truth("demo-large")!;
    const keys = keysOf(truth);
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
    expect(audit?.detail).not.toHaveProperty("cached");

    // A repeat export of the frozen batch streams the file the first one left: the same bytes.
    const dir = await mkdtemp(path.join(tmpdir(), "batchboard-cache-test-"));
    try {
      const cache = new ExportCache({ dir, maxBytes: 1e9 });
      const first = await bytesOf(await exportOf("demo-large", "", workspace, undefined, cache));
      const started = performance.now();
      const repeat = await exportOf("demo-large", "", workspace, undefined, cache);
      expect(repeat.headers.get("x-export-total")).toBe(String(truth.length));
      const again = await bytesOf(repeat);
      const repeatMs = performance.now() - started;
      expect(again.equals(first)).toBe(true);
      expect(first.length).toBe(parsed.bytes);
      expect(await lastAudit()).toMatchObject({
        action: "export.completed",
        detail: { rows: truth.length, source: "mirror", cached: true },
      });
      console.log(`[export] repeat of demo-large from the export cache: ${Math.round(truth.length / (repeatMs / 1000))} rows/s`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const [sync] = await db
      .select()
      .from(mirrorSyncs)
      .where(and(eq(mirrorSyncs.workspaceId, workspace.id), eq(mirrorSyncs.batchId, "demo-large")));
    expect(sync?.frozen).toBe(true);
  }, 180_000);
});

describe(`Export cache of frozen batches (${usingPostgres() ? "PostgreSQL" : "PGlite"})`, () => {
  let dir: string;
  let cache: ExportCache;
  const files = async () => (await readdir(dir, { recursive: true })).filter((f) => /\.(csv|json|tmp)$/.test(f)).sort();

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "batchboard-cache-test-"));
    cache = new ExportCache({ dir, maxBytes: 1e9 });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps one file per view, serves repeats from it with the BOM option intact, and never caches a batch that is not frozen", async () => {
    await syncUntilFrozen("demo-finished");
    const plain = await bytesOf(await exportOf("demo-finished", "", workspace, undefined, cache));
    expect(await files()).toHaveLength(2); // the CSV and its row count
    const withBom = await bytesOf(await exportOf("demo-finished", "bom=1", workspace, undefined, cache));
    expect(withBom.equals(Buffer.concat([Buffer.from("\uFEFF"), plain]))).toBe(true);
    expect(await lastAudit()).toMatchObject({ detail: { cached: true, bom: true } });
    const failed = await bytesOf(await exportOf("demo-finished", "status=failed&format=retry", workspace, undefined, cache));
    expect(await files()).toHaveLength(4);
    expect((await bytesOf(await exportOf("demo-finished", "status=failed&format=retry", workspace, undefined, cache))).equals(failed)).toBe(
      true,
    );

    // A running batch is walked every time and leaves nothing.
    const live = await exportOf("demo-live", "", workspace, undefined, cache);
    expect(live.headers.get("x-export-source")).toBe("trillet");
    await bytesOf(live);
    expect(await files()).toHaveLength(4);
  });

  it("keeps nothing from a cancelled export, and a re-mirrored batch gets a new file", async () => {
    await syncUntilFrozen("demo-finished");
    const response = await exportOf("demo-finished", "", workspace, undefined, cache);
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel();
    expect(await files()).toEqual([]);
    expect(await lastAudit()).toMatchObject({ action: "export.failed" });

    await bytesOf(await exportOf("demo-finished", "", workspace, undefined, cache));
    expect(await files()).toHaveLength(2);
    await db
      .update(mirrorSyncs)
      .set({ lastSuccessAt: new Date(Date.now() + 1_000) })
      .where(and(eq(mirrorSyncs.workspaceId, workspace.id), eq(mirrorSyncs.batchId, "demo-finished")));
    await bytesOf(await exportOf("demo-finished", "", workspace, undefined, cache));
    expect(await lastAudit()).toMatchObject({ action: "export.completed" });
    expect((await lastAudit())?.detail).not.toHaveProperty("cached");
    expect(await files()).toHaveLength(4);
  });

  it("has a frozen batch's whole report ready before anyone asks (the mirror worker warms it)", async () => {
    await syncUntilFrozen("demo-finished");
    expect(await warmExportCache(db, workspace.id, "demo-live", cache)).toBe(false); // running: never frozen
    expect(await warmExportCache(db, workspace.id, "demo-finished", cache)).toBe(true);
    expect(await warmExportCache(db, workspace.id, "demo-finished", cache)).toBe(false); // kept already
    const first = await exportOf("demo-finished", "", workspace, undefined, cache);
    const kept = await bytesOf(first);
    expect(await lastAudit()).toMatchObject({ action: "export.completed", detail: { cached: true, rows: 150 } });
    expect(kept.equals(await bytesOf(await exportOf("demo-finished")))).toBe(true); // what rendering gives
  });

  it("drops the least recently used files past its size", async () => {
    await syncUntilFrozen("demo-finished");
    const full = (await bytesOf(await exportOf("demo-finished", "", workspace, undefined, cache))).length;
    const failed = (await bytesOf(await exportOf("demo-finished", "status=failed", workspace, undefined, cache))).length;
    // Room for exactly these two; a third (smaller) file pushes out the least recently used one.
    const small = new ExportCache({ dir, maxBytes: full + failed });
    const pause = () => new Promise((r) => setTimeout(r, 30)); // distinct modification times
    await pause();
    await bytesOf(await exportOf("demo-finished", "status=failed", workspace, undefined, small));
    await pause();
    await bytesOf(await exportOf("demo-finished", "", workspace, undefined, small)); // used last
    await pause();
    const retry = (await bytesOf(await exportOf("demo-finished", "status=failed&format=retry", workspace, undefined, small))).length;
    expect(retry).toBeLessThan(failed);
    expect((await files()).filter((f) => f.endsWith(".csv"))).toHaveLength(2);
    await bytesOf(await exportOf("demo-finished", "", workspace, undefined, small));
    expect(await lastAudit()).toMatchObject({ detail: { cached: true } });
    await bytesOf(await exportOf("demo-finished", "status=failed", workspace, undefined, small));
    expect((await lastAudit())?.detail).not.toHaveProperty("cached");
  });
});
