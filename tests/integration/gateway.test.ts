import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { RateLimitedError, UpstreamUnavailableError } from "@/lib/trillet/errors";

import { startTestSandbox, TEST_KEY, TEST_WORKSPACE, type RunningSandbox } from "../support/sandbox";

let sb: RunningSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(() => sb.close());
beforeEach(() => {
  sb.sandbox.setFaults([]);
  sb.sandbox.setRateLimit(0);
  sb.sandbox.resetStats();
});

describe("WorkspaceGateway", () => {
  it("coalesces 50 concurrent identical reads into one upstream request", async () => {
    const gateway = sb.gateway();
    sb.sandbox.setLatency(100);
    try {
      const pages = await Promise.all(Array.from({ length: 50 }, () => gateway.listCalls("demo-live", { page: 3 })));
      expect(sb.sandbox.stats().requests).toBe(1);
      expect(new Set(pages.map((p) => JSON.stringify(p))).size).toBe(1);
    } finally {
      sb.sandbox.setLatency(0);
    }
  });

  it("reuses a finished batch's pages for the long TTL and a running batch's only briefly", async () => {
    const gateway = sb.gateway({ finishedTtlMs: 60_000, liveTtlMs: 150 });
    await gateway.listCalls("demo-finished");
    await gateway.listCalls("demo-finished");
    await gateway.getBatchStatus("demo-finished");
    await gateway.getBatchStatus("demo-finished");
    expect(sb.sandbox.stats().requests).toBe(2);

    await gateway.listCalls("demo-live");
    await gateway.listCalls("demo-live");
    expect(sb.sandbox.stats().requests).toBe(3);
    await new Promise((r) => setTimeout(r, 200));
    await gateway.listCalls("demo-live");
    expect(sb.sandbox.stats().requests).toBe(4);
  });

  it("does not cache failures", async () => {
    const gateway = sb.gateway({ maxRetries: 0, finishedTtlMs: 60_000 });
    sb.sandbox.setFaults([{ kind: "5xx", count: 1 }]);
    await expect(gateway.listCalls("demo-finished")).rejects.toThrow();
    await expect(gateway.listCalls("demo-finished")).resolves.toMatchObject({ summary: { total: 150 } });
  });

  it("keeps the upstream rate within the budget under three times the demand, with no 429", async () => {
    // One minute scaled to 1.5 s for both sides: the same algorithm, in a bounded test window.
    const windowMs = 1_500;
    // The margin covers the time between the gateway sending and Trillet counting a request. In
    // production it is 1 s of a 60 s window; here 300 ms, as a loaded test machine can delay a
    // request's arrival by more than 100 ms.
    const safetyMs = 300;
    const limit = 10;
    const arrivals: number[] = [];
    const gateway = sb.gateway({
      limitPerMinute: limit,
      windowMs,
      safetyMs,
      // The backlog takes longer than a page view's deadline: this measures the queue, not the deadline
      // (nor a request timeout on a loaded machine).
      viewDeadlineMs: 60_000,
      timeoutMs: 30_000,
      fetch: (input, init) => {
        arrivals.push(Date.now());
        return fetch(input, init);
      },
    });
    sb.sandbox.setRateLimit(limit, windowMs);
    const reads: Promise<unknown>[] = [];
    const started = Date.now();
    // Demand: 3 x limit per window, for 3 windows, each read a distinct page.
    for (let i = 0; Date.now() - started < 3 * windowMs; i++) {
      reads.push(gateway.listCalls("demo-large", { page: (i % 900) + 1, limit: 10 }, { fresh: true }));
      await new Promise((r) => setTimeout(r, windowMs / (3 * limit)));
    }
    const results = await Promise.allSettled(reads);
    expect(results.flatMap((r) => (r.status === "rejected" ? [String(r.reason)] : []))).toEqual([]);
    expect(sb.sandbox.stats().byStatus["429"] ?? 0).toBe(0);
    for (const t of arrivals) {
      expect(arrivals.filter((u) => u >= t && u < t + windowMs).length).toBeLessThanOrEqual(limit);
    }
    expect(arrivals.length).toBe(reads.length);
    // The budget is used, not just respected: the backlog drains a full window at a time.
    const windows = Math.ceil(reads.length / limit);
    expect(Date.now() - started).toBeLessThan(windows * (windowMs + safetyMs) + 1_000);
  }, 60_000);

  it("still completes every walk read through an injected 429 burst and 5xx faults", async () => {
    const gateway = sb.gateway({ maxRetries: 4 });
    sb.sandbox.setFaults([
      { kind: "429", count: 3 },
      { kind: "5xx", count: 4 },
    ]);
    const pages = await Promise.all(
      Array.from({ length: 12 }, (_, i) => gateway.listCalls("demo-large", { page: i + 1, limit: 50 }, { priority: "bulk" })),
    );
    expect(pages.map((p) => p.pagination.page)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(sb.sandbox.stats().byStatus["429"]).toBe(3);
    expect(sb.sandbox.stats().requests).toBeGreaterThanOrEqual(19);
  });

  it("lets one reader give up without cancelling the read for the others", async () => {
    const gateway = sb.gateway();
    sb.sandbox.setLatency(150);
    try {
      const leaving = new AbortController();
      const a = gateway.listCalls("demo-finished", { page: 2 }, { signal: leaving.signal });
      const b = gateway.listCalls("demo-finished", { page: 2 });
      leaving.abort(new Error("left"));
      await expect(a).rejects.toThrow("left");
      await expect(b).resolves.toMatchObject({ pagination: { page: 2 } });
      expect(sb.sandbox.stats().requests).toBe(1);
    } finally {
      sb.sandbox.setLatency(0);
    }
  });
});

describe("WorkspaceGateway page views", () => {
  const timed = async <T>(work: Promise<T>) => {
    const started = Date.now();
    const outcome = await work.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    return { ...outcome, ms: Date.now() - started };
  };

  it("answers within its deadline when Trillet hangs, saying Trillet is unreachable", async () => {
    const gateway = sb.gateway({ viewDeadlineMs: 800, timeoutMs: 5_000, maxRetries: 3 });
    sb.sandbox.setFaults([{ kind: "timeout", count: 100 }]);
    const view = await timed(gateway.listCalls("demo-finished"));
    expect("error" in view && view.error).toBeInstanceOf(UpstreamUnavailableError);
    expect(view.ms).toBeLessThan(800 + 500);
  });

  it("reports a 429 at once instead of waiting it out, and tells another tool's 429 from ours", async () => {
    const gateway = sb.gateway({ viewDeadlineMs: 5_000 });
    // Another tool spends the key's whole minute on Trillet: Batchboard's own budget is untouched.
    sb.sandbox.setRateLimit(5, 60_000);
    const other = { "x-api-key": TEST_KEY, "x-workspace-id": TEST_WORKSPACE };
    for (let i = 0; i < 5; i++) await fetch(`${sb.url}/v1/api/batch-calls/demo-finished`, { headers: other });
    sb.sandbox.resetStats();
    const view = await timed(gateway.listCalls("demo-finished"));
    expect("error" in view && view.error).toBeInstanceOf(RateLimitedError);
    const error = (view as { error: RateLimitedError }).error;
    expect(error.foreign).toBe(true);
    expect(error.retryAt).toBeGreaterThan(Date.now() + 1_000);
    expect(view.ms).toBeLessThan(1_000);
    expect(gateway.foreignRateLimitUntil).toBe(error.retryAt);
    // The pause holds the key's other readers back too: a second view answers at once, from the budget.
    const again = await timed(gateway.listCalls("demo-finished", { page: 2 }));
    expect("error" in again && again.error).toBeInstanceOf(RateLimitedError);
    expect((again as { error: RateLimitedError }).error.foreign).toBe(true);
    expect(sb.sandbox.stats().byStatus["429"]).toBe(1);
  });

  it("shows the last good read, marked stale with why, when the fresh read fails", async () => {
    const gateway = sb.gateway({ maxRetries: 0, liveTtlMs: 0, finishedTtlMs: 0 });
    const first = await gateway.listCalls("demo-finished", { page: 2 });
    expect(first.stale).toBeUndefined();
    sb.sandbox.setFaults([{ kind: "5xx", count: 1 }]);
    const second = await gateway.listCalls("demo-finished", { page: 2 });
    expect(second.stale).toEqual({ kind: "unavailable" });
    expect(second.receivedAt).toBe(first.receivedAt);
    expect(second.calls).toEqual(first.calls);
    // Once Trillet answers again, the view is fresh again.
    const third = await gateway.listCalls("demo-finished", { page: 2 });
    expect(third.stale).toBeUndefined();
    expect(third.receivedAt).toBeGreaterThan(first.receivedAt);
  });

  it("shows the last good read at once when Trillet is slow, and the refresh lands behind it", async () => {
    // No retries: the failing read at the end must not go on retrying behind the test, into the next one's counts.
    const gateway = sb.gateway({ liveTtlMs: 0, finishedTtlMs: 0, staleGraceMs: 200, viewDeadlineMs: 5_000, maxRetries: 0 });
    const first = await gateway.listCalls("demo-finished", { page: 3 });
    sb.sandbox.setLatency(800);
    try {
      const view = await timed(gateway.listCalls("demo-finished", { page: 3 }));
      expect("value" in view && view.value.stale).toEqual({ kind: "slow" });
      expect(view.ms).toBeLessThan(700);
      await new Promise((r) => setTimeout(r, 900));
      expect(sb.sandbox.stats().requests).toBe(2);
      sb.sandbox.setFaults([{ kind: "5xx", count: 10 }]);
      // The read that finished behind the stale answer is now the last good one.
      const later = await gateway.listCalls("demo-finished", { page: 3 });
      expect(later.receivedAt).toBeGreaterThan(first.receivedAt);
    } finally {
      sb.sandbox.setLatency(0);
    }
  });

  it("never shows a stale read for a batch Trillet says does not exist", async () => {
    const gateway = sb.gateway({ liveTtlMs: 0, finishedTtlMs: 0 });
    await expect(gateway.listCalls("no-such-batch")).rejects.toMatchObject({ kind: "not_found" });
  });

  it("does not cache the reads of walks and copies", async () => {
    const gateway = sb.gateway({ finishedTtlMs: 60_000 });
    await gateway.listCalls("demo-finished", { page: 1, limit: 100 }, { priority: "bulk" });
    await gateway.listCalls("demo-finished", { page: 1, limit: 100 }, { priority: "background" });
    await gateway.listCalls("demo-finished", { page: 1, limit: 100 });
    await gateway.listCalls("demo-finished", { page: 1, limit: 100 });
    expect(sb.sandbox.stats().requests).toBe(3);
  });
});
