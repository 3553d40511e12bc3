import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { getBatchPage } from "@/lib/batches/batch-page";
import { parseBatchView } from "@/lib/batches/search-params";
import { findTrackedBatch, listTrackedBatches } from "@/lib/batches/tracked";
import type { Database } from "@/lib/db";
import { claimNextSync, runSync } from "@/lib/mirror/sync";
import { isTrilletError } from "@/lib/trillet/errors";
import { createWorkspace, type Workspace } from "@/lib/workspaces";

import { openTestDatabase, usingPostgres } from "../support/db";
import { startTestSandbox, TEST_KEY, TEST_WORKSPACE, type RunningSandbox } from "../support/sandbox";

let handle: Awaited<ReturnType<typeof openTestDatabase>>;
let db: Database;
let sb: RunningSandbox;
let workspace: Workspace;

beforeAll(async () => {
  handle = await openTestDatabase();
  db = handle.db;
  sb = await startTestSandbox();
  const info = await createWorkspace(db, {
    slug: "pages",
    name: "Pages",
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
beforeEach(() => sb.sandbox.resetStats());

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
    expect((await listTrackedBatches(db, workspace.id)).map((b) => b.batchId)).toEqual(["demo-finished"]);
  });

  it("says so when a view needs the mirror before it is ready", async () => {
    const data = await getBatchPage(db, workspace, "demo-failing", view({ q: "busy", sort: "-duration" }), null);
    expect(data).toMatchObject({ source: "upstream", mirrorPending: true });
  });

  it("serves a frozen batch's pages, searches, sorts and repeats with zero upstream requests", async () => {
    for (let job = await claimNextSync(db, "t"); job; job = await claimNextSync(db, "t")) {
      await runSync(db, workspace.gateway, job, { limitPerMinute: 600_000, minSpacingMs: 0 });
    }
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
    for (let job = await claimNextSync(db, "t"); job; job = await claimNextSync(db, "t")) {
      if (job.batchId !== "demo-live") continue;
      await runSync(db, workspace.gateway, job, { limitPerMinute: 600_000, minSpacingMs: 60_000 });
      break;
    }
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
