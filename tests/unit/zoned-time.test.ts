import { describe, expect, it } from "vitest";

import { zonedTimeToEpoch } from "@/components/loop/zoned-time";

// The retry dialog's "start at a time, in a time zone": wall-clock time to epoch milliseconds.

describe("zonedTimeToEpoch", () => {
  it.each([
    ["2026-12-01T09:30", "UTC", Date.UTC(2026, 11, 1, 9, 30)],
    ["2026-12-01T09:30", "Europe/Paris", Date.UTC(2026, 11, 1, 8, 30)],
    ["2026-07-01T09:30", "Europe/Paris", Date.UTC(2026, 6, 1, 7, 30)],
    ["2026-12-01T09:30", "America/New_York", Date.UTC(2026, 11, 1, 14, 30)],
    ["2026-12-01T09:30", "Asia/Kolkata", Date.UTC(2026, 11, 1, 4, 0)],
    // The day clocks go back in New York: 03:30 exists once, after the change (EST).
    ["2026-11-01T03:30", "America/New_York", Date.UTC(2026, 10, 1, 8, 30)],
  ])("%s in %s", (local, zone, expected) => {
    expect(zonedTimeToEpoch(local, zone)).toBe(expected);
  });

  it("refuses what is not a date and time, or an unknown zone", () => {
    expect(zonedTimeToEpoch("tomorrow", "UTC")).toBeNull();
    expect(zonedTimeToEpoch("2026-12-01T09:30", "Mars/Olympus")).toBeNull();
  });
});
