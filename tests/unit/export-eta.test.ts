import { describe, expect, it } from "vitest";

import { etaText, rateLimited, RateWindow } from "@/components/reports/eta";

describe("export time estimate (moving window of measured progress)", () => {
  it("gives none until the samples span a few seconds", () => {
    const w = new RateWindow();
    w.push({ at: 0, done: 0 });
    w.push({ at: 1_000, done: 100 });
    expect(w.etaMs(3_000)).toBeNull();
    expect(etaText(w.etaMs(3_000))).toBe("");
  });

  it("grows when the rate falls, from the recent rate and not the start's", () => {
    const w = new RateWindow(30_000);
    // 100 calls a second for a minute (a full page a second)...
    for (let s = 0; s <= 60; s++) w.push({ at: s * 1_000, done: s * 100 });
    const fast = w.etaMs(12_000)!;
    expect(fast).toBeCloseTo(60_000, -3); // 6,000 left at 100/s
    // ...then about 16 pages a minute (27 calls a second): within the window the estimate grows.
    let done = 6_000;
    const estimates: number[] = [];
    for (let s = 61; s <= 120; s++) {
      done += 27;
      w.push({ at: s * 1_000, done });
      estimates.push(w.etaMs(12_000)!);
    }
    expect(estimates.at(-1)!).toBeGreaterThan(fast * 2);
    // Once the window holds only the slow samples, the estimate is the slow rate's.
    expect(estimates.at(-1)!).toBeCloseTo(((12_000 - done) / 27) * 1_000, -3);
    for (let i = 1; i < 25; i++) expect(estimates[i]!).toBeGreaterThanOrEqual(estimates[i - 1]! - 1_000);
    expect(etaText(fast, "en")).toBe("about 1 min left");
    expect(etaText(estimates.at(-1)!, "en")).toMatch(/^about \d+ min left$/);
  });

  it("says nothing when nothing moved in the window, and zero when done", () => {
    const w = new RateWindow();
    for (let s = 0; s <= 10; s++) w.push({ at: s * 1_000, done: 500 });
    expect(w.etaMs(1_000)).toBeNull();
    expect(w.etaMs(500)).toBe(0);
  });

  it("formats in the viewer's locale", () => {
    expect(etaText(5 * 3_600_000 + 1_800_000, "de-DE")).toBe("about 5,5 h left");
    expect(etaText(30_000)).toBe("under a minute left");
  });
});

describe("rate limit as the bottleneck", () => {
  it("is said when Trillet paused the reads or the key's window is nearly used up, not otherwise", () => {
    expect(rateLimited({ budget: { limitPerMinute: 60, left: 40, pausedUntil: null } })).toBe(false);
    expect(rateLimited({ budget: { limitPerMinute: 60, left: 3, pausedUntil: null } })).toBe(true);
    expect(rateLimited({ budget: { limitPerMinute: 60, left: 50, pausedUntil: Date.now() + 5_000 } })).toBe(true);
  });
});
