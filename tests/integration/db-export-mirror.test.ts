import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { and, eq } from "drizzle-orm";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { mirrorSyncs } from "@/lib/db/schema";
import { upsertCalls } from "@/lib/mirror/store";
import { ExportCache } from "@/lib/reports/cache";
import { REPORT_COLUMNS } from "@/lib/reports/columns";
import { runExport, warmExportCache } from "@/lib/reports/export";
import { mirrorExport } from "@/lib/reports/sources";
import type { Workspace } from "@/lib/workspaces";

import { usingPostgres } from "../support/db";
import { EXPORT_ACTOR as actor, bytesOf, compareReport, lastExportAudit, parseCsv as parse } from "../support/export";
import { createSandboxWorkspace } from "../support/factories";
import { db, sb, setUpDatabaseAndSandbox } from "../support/harness";
import { parkAllJobs, syncUntilFrozen as syncUntilFrozenOn } from "../support/mirror";
import { OWASP_PAYLOADS } from "../support/owasp";

// Exports of a batch's copy in the database: a frozen batch with no upstream request, the cells a
// spreadsheet would run, the ranges the copy is read in, and the export cache of frozen batches.
// The memory a 100,000-call export holds while it streams is measured by the benchmark
// (`npm run bench -- mirror`, tests/bench/mirror.ts). Walked exports: db-export.test.ts.

setUpDatabaseAndSandbox();
let workspace: Workspace;

beforeAll(async () => {
  // One workspace for the file: each test that needs a frozen batch freezes it (syncUntilFrozen
  // does nothing when it already is), and the crafted batches have names of their own.
  workspace = await createSandboxWorkspace(db, sb);
});
beforeEach(() => {
  sb.sandbox.setFaults([]);
  sb.sandbox.setLatency(0);
  sb.sandbox.resetStats();
});

const exportOf = (batchId: string, query = "", ws: Workspace = workspace, signal?: AbortSignal, cache?: ExportCache) =>
  runExport({ db, workspace: ws, actor, batchId, params: new URLSearchParams(query), signal, cache });

const lastAudit = () => lastExportAudit(db);

const syncUntilFrozen = (batchId: string) => syncUntilFrozenOn(db, workspace.gateway, workspace.id, batchId);

describe(`CSV exports of the copy (${usingPostgres() ? "PostgreSQL" : "PGlite"})`, () => {
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

  it("exports a frozen copy with zero upstream requests, and repeats it from the kept file byte for byte", async () => {
    await syncUntilFrozen("demo-finished");
    sb.sandbox.resetStats();
    const response = await exportOf("demo-finished");
    expect(response.headers.get("x-export-source")).toBe("mirror");
    // The sync kept each call's own key order: the same columns as a walk gives.
    const parsed = await parse(response);
    compareReport("demo-finished", parsed, sb.sandbox.truth("demo-finished")!);
    expect(sb.sandbox.stats().requests).toBe(0);
    const audit = await lastAudit();
    expect(audit).toMatchObject({ action: "export.completed", target: "demo-finished", detail: { rows: 150, source: "mirror" } });
    expect(audit?.detail).not.toHaveProperty("cached");

    // A repeat export of the frozen batch streams the file the first one left: the same bytes.
    const dir = await mkdtemp(path.join(tmpdir(), "batchboard-cache-test-"));
    try {
      const cache = new ExportCache({ dir, maxBytes: 1e9 });
      const first = await bytesOf(await exportOf("demo-finished", "", workspace, undefined, cache));
      const repeat = await exportOf("demo-finished", "", workspace, undefined, cache);
      expect(repeat.headers.get("x-export-total")).toBe("150");
      const again = await bytesOf(repeat);
      expect(again.equals(first)).toBe(true);
      expect(first.length).toBe(parsed.bytes);
      expect(await lastAudit()).toMatchObject({ action: "export.completed", detail: { rows: 150, source: "mirror", cached: true } });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(sb.sandbox.stats().requests).toBe(0);
  });
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

  it("deletes a removed workspace's files, and only its cache's own folders when pruning", async () => {
    await syncUntilFrozen("demo-finished");
    const other = await createSandboxWorkspace(db, sb);
    await parkAllJobs(db); // jobs earlier tests left due (a walked export of demo-live) wait
    await syncUntilFrozenOn(db, other.gateway, other.id, "demo-finished");
    const served = async (ws: Workspace) => {
      await bytesOf(await exportOf("demo-finished", "", ws, undefined, cache));
      return (await lastAudit())?.detail.cached === true;
    };
    await served(workspace);
    await served(other);
    expect(await files()).toHaveLength(4);

    // The instance that removes a workspace deletes its files at once.
    await cache.forgetWorkspace(other.id);
    expect(await files()).toHaveLength(2);
    expect(await served(other)).toBe(false); // written again

    // Other instances prune on their hourly pass: folders of workspaces not in the list go; anything
    // else in the folder (not one of the cache's own) stays.
    await writeFile(path.join(dir, "README.txt"), "not the cache's");
    await mkdir(path.join(dir, "not-a-cache-folder"));
    expect(await cache.keepOnlyWorkspaces([workspace.id])).toBe(1);
    expect(await files()).toHaveLength(2); // this workspace's CSV and its count
    expect(await readdir(dir)).toEqual(expect.arrayContaining(["README.txt", "not-a-cache-folder"]));
    expect(await served(workspace)).toBe(true);
    expect(await served(other)).toBe(false);
  });
});
