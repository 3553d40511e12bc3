import { readdir } from "node:fs/promises";
import { tmpdir } from "node:os";

import { and, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";

import { mirrorSyncs } from "@/lib/db/schema";
import { REPORT_COLUMNS } from "@/lib/reports/columns";
import { runExport } from "@/lib/reports/export";
import { guardCell } from "@/lib/reports/guard";
import { readExportProgress } from "@/lib/reports/progress";
import type { Workspace } from "@/lib/workspaces";

import { usingPostgres } from "../support/db";
import {
  EXPORT_ACTOR as actor,
  bytesOf,
  compareReport,
  expectedReport,
  keysOf,
  lastExportAudit,
  parseCsv as parse,
} from "../support/export";
import { createSandboxWorkspace } from "../support/factories";
import { db, sb, setUpDatabaseAndSandbox } from "../support/harness";

// Exports walked from Trillet (batches with no frozen copy): the CSV field by field, filters, the
// retry layout, progress, failures and cancellation. Frozen copies and the export cache:
// db-export-mirror.test.ts.

setUpDatabaseAndSandbox();
let workspace: Workspace;
const spoolDirs = async () => new Set((await readdir(tmpdir())).filter((name) => name.startsWith("batchboard-export-")));

// A workspace per test: an export of all calls of a finished batch freezes its copy, and a later
// export of it would then be read from the database instead of walked.
beforeEach(async () => {
  workspace = await createSandboxWorkspace(db, sb);
  sb.sandbox.setFaults([]);
  sb.sandbox.setLatency(0);
  sb.sandbox.resetStats();
});

const exportOf = (batchId: string, query = "", ws: Workspace = workspace, signal?: AbortSignal) =>
  runExport({ db, workspace: ws, actor, batchId, params: new URLSearchParams(query), signal });

const lastAudit = () => lastExportAudit(db);

describe(`CSV exports walked from Trillet (${usingPostgres() ? "PostgreSQL" : "PGlite"})`, () => {
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
    // Spool folders that were there before (another test file's, still at work) are not this test's.
    const before = await spoolDirs();
    await bytesOf(await exportOf("demo-failing", "status=failed"));
    const fragile = { ...workspace, gateway: sb.gateway({ maxRetries: 0 }) };
    sb.sandbox.setFaults([{ kind: "5xx", rate: 1, batchId: "demo-large", afterRequests: 2 }]);
    await bytesOf(await exportOf("demo-large", "", fragile)).catch(() => {});
    sb.sandbox.setFaults([]);
    const abort = new AbortController();
    const cancelled = await exportOf("demo-large", "", workspace, abort.signal);
    const reader = cancelled.body!.getReader();
    await reader.read().catch(() => {});
    abort.abort();
    await reader.cancel();
    await new Promise((r) => setTimeout(r, 200));
    expect([...(await spoolDirs())].filter((name) => !before.has(name))).toEqual([]);
  });
});
