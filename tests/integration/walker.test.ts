import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { TrilletError } from "@/lib/trillet/errors";
import type { WorkspaceGateway } from "@/lib/trillet/gateway";
import type { CallsPage } from "@/lib/trillet/schemas";
import { collectBatch, walkBatch, type WalkProgress } from "@/lib/trillet/walker";

import { startTestSandbox, type RunningSandbox } from "../support/sandbox";

let sb: RunningSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(() => sb.close());
beforeEach(() => {
  sb.sandbox.setFaults([]);
  sb.sandbox.resetStats();
});

const ids = (calls: { jobId: string }[]) => calls.map((c) => c.jobId);

describe("walkBatch", () => {
  it("reads every call of a finished batch exactly once, reporting progress", async () => {
    const progress: WalkProgress[] = [];
    const { calls, result } = await collectBatch(sb.gateway(), "demo-finished", { onProgress: (p) => progress.push(p) });
    const truth = sb.sandbox.truth("demo-finished")!;
    expect(ids(calls).sort()).toEqual(ids(truth).sort());
    expect(new Set(ids(calls)).size).toBe(calls.length);
    expect(result).toMatchObject({ rows: 150, passes: 1 });
    expect(progress.at(-1)).toMatchObject({ pagesDone: 2, totalPages: 2, rows: 150, expected: 150 });
  });

  it("hands each page, as Trillet listed it, to onPage in page order before its calls are yielded", async () => {
    const pages: { page: number; pass: number; status: string; ids: string[] }[] = [];
    let yieldedBeforePage = 0;
    let yielded = 0;
    const walk = walkBatch(sb.gateway(), "demo-failing", {
      concurrency: 3,
      onPage: async ({ page, pass, status, result }) => {
        await new Promise((r) => setTimeout(r, 5)); // awaited: a slow hook holds the walk back
        if (yielded > pages.length * 100) yieldedBeforePage++;
        pages.push({ page, pass, status, ids: ids(result.calls) });
      },
    });
    for (let step = await walk.next(); !step.done; step = await walk.next()) yielded += step.value.length;
    const truth = ids(sb.sandbox.truth("demo-failing")!);
    expect(pages.map((p) => [p.page, p.pass, p.status])).toEqual([1, 2, 3, 4, 5].map((n) => [n, 1, "all"]));
    // Page n holds the calls at positions (n - 1) * 100 onwards: the mirror numbers its rows so.
    expect(pages.flatMap((p) => p.ids)).toEqual(truth);
    expect(yieldedBeforePage).toBe(0);
  });

  it("uses Trillet's filter on a finished batch", async () => {
    const { calls } = await collectBatch(sb.gateway(), "demo-failing", { status: "failed" });
    const truth = sb.sandbox.truth("demo-failing")!.filter((c) => c.status === "failed");
    expect(ids(calls).sort()).toEqual(ids(truth).sort());
    expect(sb.sandbox.stats().requests).toBe(Math.ceil(truth.length / 100));
  });

  it("yields nothing for an empty batch", async () => {
    const { calls, result } = await collectBatch(sb.gateway(), "demo-empty");
    expect(calls).toEqual([]);
    expect(result.rows).toBe(0);
  });

  it("yields every jobId of the live batch exactly once while calls move between statuses", async () => {
    sb.sandbox.restartLive(0);
    sb.sandbox.setLiveSpeed(400);
    sb.sandbox.setLatency(15);
    try {
      const before = sb.sandbox.summary("demo-live")!;
      const { calls } = await collectBatch(sb.gateway(), "demo-live", { concurrency: 2 });
      const after = sb.sandbox.summary("demo-live")!;
      // The batch really moved during the walk.
      expect(after.completed + after.failed).toBeGreaterThan(before.completed + before.failed);
      expect(ids(calls).sort()).toEqual(ids(sb.sandbox.truth("demo-live")!).sort());
      expect(new Set(ids(calls)).size).toBe(2_000);
    } finally {
      sb.sandbox.setLatency(0);
      sb.sandbox.setLiveSpeed(1);
    }
  });

  it("walks a status of a running batch without duplicates, as read", async () => {
    sb.sandbox.restartLive(600);
    sb.sandbox.setLiveSpeed(400);
    try {
      const { calls } = await collectBatch(sb.gateway(), "demo-live", { status: "completed" });
      expect(calls.length).toBeGreaterThan(0);
      expect(calls.every((c) => c.status === "completed")).toBe(true);
      expect(new Set(ids(calls)).size).toBe(calls.length);
      const finalCompleted = new Set(ids(sb.sandbox.truth("demo-live")!.filter((c) => c.status === "completed")));
      expect(ids(calls).every((id) => finalCompleted.has(id))).toBe(true);
    } finally {
      sb.sandbox.setLiveSpeed(1);
    }
  });

  it("rejects, never ends short, when a page fails permanently midway", async () => {
    sb.sandbox.setFaults([{ kind: "5xx", rate: 1, batchId: "demo-large", afterRequests: 5 }]);
    const walk = walkBatch(sb.gateway({ maxRetries: 1 }), "demo-large", { concurrency: 2 });
    let rows = 0;
    const error = await (async () => {
      for await (const page of walk) rows += page.length;
    })().catch((e) => e);
    expect(error).toBeInstanceOf(TrilletError);
    expect(rows).toBeGreaterThan(0);
    expect(rows).toBeLessThan(100_000);
  });

  it("re-reads pages when upstream order shifts and a pass misses calls", async () => {
    // A stand-in whose first pass serves page 2 shifted by one call, so one job is never seen.
    const all = Array.from({ length: 150 }, (_, i) => ({
      jobId: `j${i}`,
      status: "completed",
      phoneNumber: `+1555000${i}`,
      startTime: 1,
      endTime: 2,
      durationSec: 1,
      error: null,
      metadata: {},
    }));
    let reads = 0;
    const gateway = {
      listCalls: async (_id: string, p: { page?: number; limit?: number }) => {
        reads++;
        const limit = p.limit ?? 100;
        const start = ((p.page ?? 1) - 1) * limit + (reads === 2 ? 1 : 0);
        const calls = all.slice(start, start + limit);
        const summary = { total: 150, waiting: 0, active: 0, completed: 150, failed: 0 };
        const page: CallsPage = {
          calls,
          summary,
          pagination: { page: p.page ?? 1, limit, total: 150, totalPages: 2, hasNext: false, hasPrev: false },
        };
        return { ...page, receivedAt: 0 };
      },
    } as unknown as WorkspaceGateway;
    const { calls, result } = await collectBatch(gateway, "b", { concurrency: 1 });
    expect(result.passes).toBe(2);
    expect(ids(calls).sort()).toEqual(ids(all).sort());
  });
});
