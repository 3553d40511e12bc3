import { describe, expect, it } from "vitest";

import { RequestBudget } from "@/lib/trillet/budget";
import { RateLimitedError } from "@/lib/trillet/errors";

const tick = () => new Promise((r) => setTimeout(r, 0));

function track(promise: Promise<void>) {
  const state = { done: false, failed: undefined as unknown };
  promise.then(
    () => (state.done = true),
    (e) => (state.failed = e),
  );
  return state;
}

describe("RequestBudget", () => {
  it("grants up to the limit at once, then queues until the oldest grant leaves the window", async () => {
    const budget = new RequestBudget({ limitPerMinute: 3, windowMs: 200, safetyMs: 20 });
    const started = Date.now();
    await Promise.all([budget.acquire("interactive"), budget.acquire("interactive"), budget.acquire("interactive")]);
    expect(Date.now() - started).toBeLessThan(50);
    const fourth = track(budget.acquire("interactive"));
    await tick();
    expect(fourth.done).toBe(false);
    expect(budget.stats().queued.interactive).toBe(1);
    await new Promise((r) => setTimeout(r, 260));
    expect(fourth.done).toBe(true);
  });

  it("serves queued interactive requests before queued bulk ones", async () => {
    const budget = new RequestBudget({ limitPerMinute: 2, windowMs: 150, safetyMs: 0, bulkShare: 1 });
    await budget.acquire("bulk");
    await budget.acquire("bulk");
    const order: string[] = [];
    const bulk = budget.acquire("bulk").then(() => order.push("bulk"));
    const interactive = budget.acquire("interactive").then(() => order.push("interactive"));
    await Promise.all([bulk, interactive]);
    expect(order).toEqual(["interactive", "bulk"]);
  });

  it("keeps a share of the window free of bulk walks so a page view need not wait", async () => {
    const budget = new RequestBudget({ limitPerMinute: 10, windowMs: 10_000, bulkShare: 0.8 });
    const bulk = Array.from({ length: 10 }, () => track(budget.acquire("bulk")));
    await tick();
    expect(bulk.filter((b) => b.done)).toHaveLength(8);
    const interactive = track(budget.acquire("interactive"));
    await tick();
    expect(interactive.done).toBe(true);
  });

  it("has background work yield to page views: its cap shrinks by what page views used in the window", async () => {
    const budget = new RequestBudget({ limitPerMinute: 20, windowMs: 10_000, backgroundShare: 0.8 });
    // Nobody watching: background may fill its whole share (16 of 20).
    const alone = Array.from({ length: 20 }, () => track(budget.acquire("background")));
    await tick();
    expect(alone.filter((b) => b.done)).toHaveLength(16);

    const watched = new RequestBudget({ limitPerMinute: 20, windowMs: 10_000, backgroundShare: 0.8 });
    // Ten page views this window: background keeps what they use free, plus a reserve of one.
    await Promise.all(Array.from({ length: 10 }, () => watched.acquire("interactive")));
    const background = Array.from({ length: 20 }, () => track(watched.acquire("background")));
    await tick();
    expect(background.filter((b) => b.done)).toHaveLength(20 - 10 - 1);
    expect(watched.stats()).toMatchObject({ inWindow: 19, interactiveInWindow: 10 });
    // So the next page view goes at once.
    const view = track(watched.acquire("interactive", undefined, 0));
    await tick();
    expect(view.done).toBe(true);
  });

  it("holds every request while Trillet says the budget is spent", async () => {
    const budget = new RequestBudget({ limitPerMinute: 100 });
    budget.pauseUntil(Date.now() + 120);
    const started = Date.now();
    await budget.acquire("interactive");
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
  });

  it("drops an aborted request from the queue", async () => {
    const budget = new RequestBudget({ limitPerMinute: 1, windowMs: 100, safetyMs: 0 });
    await budget.acquire("bulk");
    const controller = new AbortController();
    const aborted = track(budget.acquire("bulk", controller.signal));
    controller.abort(new Error("gone"));
    await tick();
    expect((aborted.failed as Error).message).toBe("gone");
    expect(budget.stats().queued.bulk).toBe(0);
  });
});

describe("RequestBudget with a wait bound", () => {
  it("reports rate limited, with when it frees up, instead of queueing past the bound", async () => {
    const budget = new RequestBudget({ limitPerMinute: 1, windowMs: 5_000, safetyMs: 0 });
    await budget.acquire("interactive");
    const started = Date.now();
    const error = await budget.acquire("interactive", undefined, 100).catch((e) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect((error as RateLimitedError).retryAt).toBeGreaterThan(Date.now() + 3_000);
    expect(budget.stats().queued.interactive).toBe(0);
  });

  it("fails at once while Trillet's own pause is longer than the bound", async () => {
    const budget = new RequestBudget({ limitPerMinute: 100 });
    const until = Date.now() + 30_000;
    budget.pauseUntil(until);
    await expect(budget.acquire("interactive", undefined, 1_000)).rejects.toMatchObject({ retryAt: until });
  });
});

describe("isTrilletError", () => {
  it("recognises an error from another bundle's copy of the module by its brand", async () => {
    const { isTrilletError, retryAtOf, RateLimitedError: Own } = await import("@/lib/trillet/errors");
    const foreign = Object.assign(new Error("x"), { kind: "rate_limited", retryAt: 42, [Symbol.for("batchboard.TrilletError")]: true });
    expect(isTrilletError(foreign)).toBe(true);
    expect(retryAtOf(foreign)).toBe(42);
    expect(retryAtOf(new Own(7))).toBe(7);
    expect(isTrilletError(new Error("plain"))).toBe(false);
    expect(isTrilletError({ kind: "credentials" })).toBe(false);
  });
});
