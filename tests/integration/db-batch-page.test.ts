import { beforeEach, describe, expect, it } from "vitest";

import { getBatchPage } from "@/lib/batches/batch-page";
import { parseBatchView } from "@/lib/batches/search-params";
import { findTrackedBatch, listTrackedBatches } from "@/lib/batches/tracked";
import { claimNextSync, runSync } from "@/lib/mirror/sync";
import { isTrilletError } from "@/lib/trillet/errors";
import type { Workspace } from "@/lib/workspaces";

import { usingPostgres } from "../support/db";
import { createSandboxWorkspace } from "../support/factories";
import { db, sb, setUpDatabaseAndSandbox } from "../support/harness";

setUpDatabaseAndSandbox();
let workspace: Workspace;

// Each test reads through a workspace of its own: its own list of batches and its own copies.
beforeEach(async () => {
  workspace = await createSandboxWorkspace(db, sb);
  sb.sandbox.resetStats();
});

/**
 * Runs the due syncs until this workspace's sync of `batchId` has run (until frozen, if asked).
 * Other workspaces' due syncs run too, on the same sandbox, spaced a minute apart so they do not
 * come back: claimNextSync takes the oldest due job of any workspace.
 */
async function runSyncsOf(batchId: string, options: { minSpacingMs: number; untilFrozen: boolean }) {
  for (let job = await claimNextSync(db, "t"); job; job = await claimNextSync(db, "t")) {
    const ours = job.workspaceId === workspace.id && job.batchId === batchId;
    const outcome = await runSync(db, workspace.gateway, job, {
      limitPerMinute: 600_000,
      minSpacingMs: ours ? options.minSpacingMs : 60_000,
    });
    if (ours && (!options.untilFrozen || outcome.frozen)) return;
  }
  throw new Error(`no due sync of ${batchId} left to run`);
}

const view = (query: Record<string, string> = {}) => parseBatchView(query);

describe(`batch page service (${usingPostgres() ? "PostgreSQL" : "PGlite"})`, () => {
  it("reads an unmirrored batch from Trillet, tracks it, and asks for a sync", async () => {
    const data = await getBatchPage(db, workspace, "demo-finished", view({ status: "failed" }), null);
    expect(data).toMatchObject({ source: "upstream", finished: true, mirrorPending: false });
    expect(data.summary).toEqual(sb.sandbox.summary("demo-finished"));
    expect(data.calls.every((c) => c.status === "failed")).toBe(true);
    expect(await findTrackedBatch(db, workspace.id, "demo-finished")).toMatchObject({
      lastSummary: sb.sandbox.summary("demo-finished"),
      finishedAt: expect.any(Date),
    });
    expect(data.mirror).toMatchObject({ state: "pending", frozen: false });
  });

  it("adds nothing for a batch Trillet does not know", async () => {
    const error = await getBatchPage(db, workspace, "no-such-batch", view(), null).catch((e) => e);
    expect(isTrilletError(error) && error.kind).toBe("not_found");
    expect(await findTrackedBatch(db, workspace.id, "no-such-batch")).toBeNull();
    expect(await listTrackedBatches(db, workspace.id)).toEqual([]);
  });

  it("says so when a view needs the mirror before it is ready", async () => {
    const data = await getBatchPage(db, workspace, "demo-failing", view({ q: "busy", sort: "-duration" }), null);
    expect(data).toMatchObject({ source: "upstream", mirrorPending: true });
  });

  it("serves a frozen batch's pages, searches, sorts and repeats with zero upstream requests", async () => {
    // Opening the batch tracks it and asks for its copy.
    await getBatchPage(db, workspace, "demo-failing", view(), null);
    await runSyncsOf("demo-failing", { minSpacingMs: 0, untilFrozen: true });
    sb.sandbox.resetStats();
    const views: Record<string, string>[] = [
      {},
      { status: "failed", page: "2" },
      { q: "busy" },
      { sort: "-duration", limit: "50" },
      { reason: "number busy" },
      {},
    ];
    for (const v of views) {
      const data = await getBatchPage(db, workspace, "demo-failing", view(v), null);
      expect(data).toMatchObject({ source: "mirror", finished: true, mirrorPending: false });
      expect(data.summary).toEqual(sb.sandbox.summary("demo-failing"));
    }
    const busy = await getBatchPage(db, workspace, "demo-failing", view({ reason: "number busy", limit: "100" }), null);
    expect(busy.calls.length).toBeGreaterThan(0);
    expect(busy.calls.every((c) => c.error?.trim().toLowerCase().startsWith("number busy"))).toBe(true);
    expect(sb.sandbox.stats().requests).toBe(0);
  });

  it("answers from the copy, marked stale with why, when Trillet refuses a view never read before", async () => {
    // demo-live runs: its copy is a complete pass, not frozen.
    await getBatchPage(db, workspace, "demo-live", view(), null);
    await runSyncsOf("demo-live", { minSpacingMs: 60_000, untilFrozen: false });
    sb.sandbox.setFaults([{ kind: "401", count: 1_000 }]);
    try {
      const data = await getBatchPage(db, workspace, "demo-live", view({ status: "completed", limit: "50" }), null);
      expect(data).toMatchObject({ source: "mirror", finished: false, stale: { kind: "credentials" } });
      expect(data.calls.every((c) => c.status === "completed")).toBe(true);
    } finally {
      sb.sandbox.setFaults([]);
    }
  });

  it("says when Trillet was read after the copy a search of a running batch is answered from", async () => {
    await getBatchPage(db, workspace, "demo-live", view(), null);
    await runSyncsOf("demo-live", { minSpacingMs: 60_000, untilFrozen: false });
    const before = await getBatchPage(db, workspace, "demo-live", view({ q: "a" }), null);
    expect(before.source).toBe("mirror");
    await new Promise((r) => setTimeout(r, 20));
    const live = await getBatchPage(db, workspace, "demo-live", view({ page: "2" }), null);
    expect(live.source).toBe("upstream");
    const search = await getBatchPage(db, workspace, "demo-live", view({ q: "a" }), null);
    expect(search.newerLive).toEqual({ readAt: live.readAt, summary: live.summary });
    expect(search.readAt).toBeLessThan(live.readAt);
  });
});
