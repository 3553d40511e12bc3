import { Writable } from "node:stream";

import { afterAll, beforeEach, describe, expect, it } from "vitest";

import { getBatchPage } from "@/lib/batches/batch-page";
import { parseBatchView } from "@/lib/batches/search-params";
import { setLogDestination, withLogContext } from "@/lib/log";
import { metrics } from "@/lib/metrics";
import { upsertCalls } from "@/lib/mirror/store";
import { claimNextSync, requestSync, runSync } from "@/lib/mirror/sync";
import { runExport } from "@/lib/reports/export";
import type { Workspace } from "@/lib/workspaces";

import { usingPostgres } from "../support/db";
import { createSandboxWorkspace } from "../support/factories";
import { db, sb, setUpDatabaseAndSandbox } from "../support/harness";
import { TEST_KEY, TEST_WORKSPACE } from "../support/sandbox";

// The app's log lines as an operator reads them: the real logger (lib/log.ts) writing JSON into a
// buffer, the real sandbox over HTTP, the real database. Each line issue 14 names is provoked
// here, checked for its context fields, and the whole output for credentials and phone numbers.

type Line = Record<string, unknown> & { level: string; msg: string; event?: string };
const lines: Line[] = [];
const raw: string[] = [];
setLogDestination(
  new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (!line.trim()) continue;
        raw.push(line);
        lines.push(JSON.parse(line) as Line);
      }
      done();
    },
  }),
  "debug",
);

setUpDatabaseAndSandbox();
const actor = { id: null, email: "ops@example.test" };

afterAll(async () => {
  setLogDestination(process.stdout);
});
beforeEach(() => sb.sandbox.setFaults([]));

/** A workspace of its own (nothing mirrored yet), its gateway labelled with its id as the app's are. */
const freshWorkspace = () =>
  createSandboxWorkspace(db, sb, {
    gateway: (info) => ({ timeoutMs: 500, maxRetries: 1, maxRateLimitWaitMs: 3_000, viewDeadlineMs: 3_000, label: info.id }),
  });

const events = (event: string) => lines.filter((line) => line.event === event);
const PHONE = /\+\d{8,15}/;

describe(`log lines an operator needs (${usingPostgres() ? "PostgreSQL" : "PGlite"})`, () => {
  it("a page view's failed read: the failure, the retry and the view's line, with the request's id", async () => {
    const ws = await freshWorkspace();
    sb.sandbox.setFaults([{ kind: "5xx", rate: 1, batchId: "demo-finished" }]);
    const failuresBefore = await metricValue("batchboard_upstream_requests_total", { outcome: "server_error", priority: "interactive" });
    const error = await withLogContext({ requestId: "req-view-1" }, () =>
      getBatchPage(db, ws, "demo-finished", parseBatchView({}), null),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "unavailable" });
    const fields = { requestId: "req-view-1", workspace: ws.id, batch: "demo-finished" };
    expect(events("upstream.retry")).toContainEqual(
      expect.objectContaining({ ...fields, level: "warn", kind: "unavailable", status: 500, attempt: 1, priority: "interactive" }),
    );
    expect(events("upstream.failed")).toContainEqual(
      expect.objectContaining({ ...fields, level: "warn", kind: "unavailable", attempt: 2, gaveUp: "retries used up" }),
    );
    expect(events("view.read_failed")).toContainEqual(
      expect.objectContaining({ ...fields, level: "warn", kind: "unavailable", read: "calls" }),
    );
    expect(await metricValue("batchboard_upstream_requests_total", { outcome: "server_error", priority: "interactive" })).toBe(
      failuresBefore + 2,
    );
  });

  it("a sync's start and freeze, and a final check that finds the copy differs", async () => {
    const ws = await freshWorkspace();
    await syncOnce(ws, "demo-finished");
    expect(events("sync.started")).toContainEqual(
      expect.objectContaining({ workspace: ws.id, batch: "demo-finished", reason: "first", pass: 1 }),
    );
    expect(events("sync.frozen")).toContainEqual(
      expect.objectContaining({ workspace: ws.id, batch: "demo-finished", total: expect.any(Number) }),
    );

    // A call in the copy that Trillet does not list (a row of an older pass, with its phone number):
    // the final check refuses to freeze and says so, with counts, never the call.
    const ws2 = await freshWorkspace();
    const page = await ws2.gateway.listCalls("demo-failing", { page: 1, limit: 1 }, { priority: "bulk", fresh: true });
    const ghost = { ...page.calls[0]!, jobId: "ghost-job-0001" };
    await upsertCalls(db, ws2.id, "demo-failing", [ghost], 100_000, 0);
    await syncOnce(ws2, "demo-failing");
    const mismatch = events("sync.mismatch").find((l) => l.workspace === ws2.id);
    expect(mismatch).toMatchObject({ level: "warn", batch: "demo-failing", mismatch: expect.objectContaining({ notListedByTrillet: 1 }) });
  });

  it("a 429 on a walk: the wait and the budget's pause, then the read goes on", async () => {
    const ws = await freshWorkspace();
    sb.sandbox.setFaults([{ kind: "429", count: 1, batchId: "demo-failing" }]);
    await withLogContext({ requestId: "req-walk-1" }, () =>
      ws.gateway.listCalls("demo-failing", { page: 1, limit: 100 }, { priority: "bulk", fresh: true }),
    );
    expect(events("upstream.rate_limit_wait")).toContainEqual(
      expect.objectContaining({
        requestId: "req-walk-1",
        workspace: ws.id,
        batch: "demo-failing",
        priority: "bulk",
        status: 429,
        waitMs: expect.any(Number),
        retryAt: expect.any(String),
      }),
    );
    expect(events("budget.paused")).toContainEqual(expect.objectContaining({ workspace: ws.id, until: expect.any(String) }));
  });

  it("an export's start and end share its id; a failed one says why without its rows", async () => {
    const ws = await freshWorkspace();
    const response = await withLogContext({ requestId: "req-export-1" }, () =>
      runExport({ db, workspace: ws, actor, batchId: "demo-failing", params: new URLSearchParams() }),
    );
    const exportId = response.headers.get("x-export-id");
    expect(exportId).toBeTruthy();
    await response.text();
    await expect
      .poll(() => events("export.completed").find((l) => l.exportId === exportId))
      .toMatchObject({ workspace: ws.id, batch: "demo-failing", rows: 480, source: "trillet" });
    expect(events("export.started")).toContainEqual(
      expect.objectContaining({ requestId: "req-export-1", exportId, workspace: ws.id, batch: "demo-failing", source: "trillet" }),
    );

    // Permanent 5xx after the first page: the stream breaks, the line names the export.
    const ws2 = await freshWorkspace();
    sb.sandbox.setFaults([{ kind: "5xx", rate: 1, batchId: "demo-failing", afterRequests: 1 }]);
    const failing = await runExport({ db, workspace: ws2, actor, batchId: "demo-failing", params: new URLSearchParams() });
    const failedId = failing.headers.get("x-export-id");
    await failing.text().catch(() => "");
    await expect
      .poll(() => events("export.failed").find((l) => l.exportId === failedId))
      .toMatchObject({
        level: "warn",
        workspace: ws2.id,
        batch: "demo-failing",
        err: expect.objectContaining({ kind: expect.any(String), message: expect.any(String) }),
      });
    // Refused up front: a bad request is a line too.
    await runExport({ db, workspace: ws2, actor, batchId: "demo-failing", params: new URLSearchParams({ status: "nonsense" }) });
    expect(events("export.refused")).toContainEqual(
      expect.objectContaining({ workspace: ws2.id, batch: "demo-failing", exportId: expect.any(String) }),
    );
  });

  it("no line holds a Trillet credential or a phone number", async () => {
    // Lines of its own, whatever ran before: a page view, a failing read, a copy and an export.
    const ws = await freshWorkspace();
    const from = lines.length;
    await withLogContext({ requestId: "req-secrets" }, () => getBatchPage(db, ws, "demo-failing", parseBatchView({}), null));
    sb.sandbox.setFaults([{ kind: "5xx", rate: 1, batchId: "demo-finished" }]);
    await getBatchPage(db, ws, "demo-finished", parseBatchView({}), null).catch(() => {});
    sb.sandbox.setFaults([]);
    await syncOnce(ws, "demo-failing");
    await (await runExport({ db, workspace: ws, actor, batchId: "demo-failing", params: new URLSearchParams() })).arrayBuffer();
    // This test's own lines cover each kind it provoked (whatever order the tests ran in).
    const own = new Set(
      lines
        .slice(from)
        .filter((l) => l.workspace === ws.id)
        .map((l) => l.event),
    );
    for (const event of ["upstream.failed", "view.read_failed", "sync.started", "sync.frozen", "export.started", "export.completed"]) {
      expect(own, event).toContain(event);
    }
    for (const line of raw) {
      expect(line).not.toContain(TEST_KEY);
      expect(line).not.toContain(TEST_WORKSPACE);
      expect(line, line).not.toMatch(PHONE);
    }
  });
});

/** Claims and runs the batch's sync slice by slice until its job is done (frozen or not). */
async function syncOnce(ws: Workspace, batchId: string) {
  await requestSync(db, ws.id, batchId);
  for (let run = 0; run < 40; run++) {
    const job = await claimNextSync(db, `runner-${ws.id.slice(0, 8)}`);
    if (!job) continue;
    const outcome = await withLogContext({ syncOwner: "test-runner" }, () =>
      runSync(db, ws.gateway, job, { limitPerMinute: 600_000, minSpacingMs: 0 }),
    );
    // Another test's copy (claimNextSync takes the oldest due job of any workspace) runs too.
    if (job.workspaceId !== ws.id || job.batchId !== batchId) continue;
    if (outcome.state === "done") return outcome;
    if (outcome.state !== "yielded") throw new Error(`sync ended ${outcome.state}: ${outcome.error}`);
  }
  throw new Error(`${batchId}: no done sync after 40 runs`);
}

async function metricValue(name: string, labels: Record<string, string>): Promise<number> {
  const metric = (await metrics().registry.getMetricsAsJSON()).find((m) => m.name === name);
  const values = (metric?.values ?? []) as { labels: Record<string, string | number>; value: number }[];
  return values.filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want)).reduce((a, v) => a + v.value, 0);
}
