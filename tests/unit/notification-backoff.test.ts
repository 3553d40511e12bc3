import { describe, expect, it } from "vitest";

import { backoffMs, DEFAULT_BACKOFF } from "@/lib/notifications/worker";

describe("notification retry backoff", () => {
  it("doubles from the base after each failed attempt and stops growing at the cap", () => {
    const none = () => 0;
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => backoffMs(n, DEFAULT_BACKOFF, none))).toEqual([
      30_000, 60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 3_600_000, 3_600_000, 3_600_000,
    ]);
    expect(backoffMs(40, { baseMs: 50, maxMs: 200 }, none)).toBe(200);
  });

  it("adds at most 10% jitter, so retries from many deliveries spread out", () => {
    expect(backoffMs(1, DEFAULT_BACKOFF, () => 0.999)).toBe(32_997);
    for (let i = 0; i < 50; i++) {
      const ms = backoffMs(3, DEFAULT_BACKOFF);
      expect(ms).toBeGreaterThanOrEqual(120_000);
      expect(ms).toBeLessThanOrEqual(132_000);
    }
  });
});
