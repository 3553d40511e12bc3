import { describe, expect, it } from "vitest";

import { copyProgressText, formatWait, type CopyProgressInput } from "@/components/batches/copy-progress-text";

const base: CopyProgressInput = {
  frozen: false,
  pagesDone: 0,
  totalPages: 0,
  pass: 0,
  passReason: null,
  inPass: false,
  passPages: 0,
  queue: null,
};
const at = (over: Partial<CopyProgressInput>) => copyProgressText({ ...base, ...over });

describe("copy progress in words", () => {
  it("says 'starting' before Trillet has told the total, never '?'", () => {
    expect(at({})).toBe("copy starting");
    expect(at({ pass: 1, passReason: "first", inPass: true })).toBe("copy starting");
    expect(at({ pass: 1, passReason: "first", inPass: true, pagesDone: 1, totalPages: 1_000, passPages: 1_000 })).toBe(
      "copying for search and reports: 1 of 1,000 pages",
    );
  });

  it("shows the queue while a copy waits its turn, with a rough wait", () => {
    expect(at({ queue: { ahead: 3, etaMs: 65_000 } })).toBe("waiting to copy: 3 batches ahead, about 1 min");
    expect(at({ queue: { ahead: 1, etaMs: 5_000 } })).toBe("waiting to copy: 1 batch ahead, under a minute");
    expect(at({ queue: { ahead: 0, etaMs: 0 } })).toBe("copy starting");
    // A copied running batch waiting for its next refresh.
    expect(at({ pass: 4, passReason: "refresh", queue: { ahead: 2, etaMs: 200_000 } })).toBe(
      "waiting to refresh the copy: 2 batches ahead, about 3 min",
    );
    // Between two slices of a pass, the pass's progress stays on screen.
    expect(at({ pass: 1, passReason: "first", inPass: true, pagesDone: 40, passPages: 1_000, queue: { ahead: 0, etaMs: 0 } })).toBe(
      "copying for search and reports: 40 of 1,000 pages",
    );
  });

  it("names a new pass and why it reads pages again", () => {
    expect(at({ pass: 2, passReason: "final", inPass: true, pagesDone: 120, passPages: 1_000, totalPages: 1_000 })).toBe(
      "second pass: checking against Trillet, 120 of 1,000 pages",
    );
    expect(at({ pass: 9, passReason: "final", inPass: true, pagesDone: 3, passPages: 20 })).toBe(
      "final pass: checking against Trillet, 3 of 20 pages",
    );
    expect(at({ pass: 2, passReason: "recheck", inPass: true, pagesDone: 5, passPages: 5 })).toBe(
      "calls moved while copying; second pass reads every page again: 5 of 5 pages",
    );
    expect(at({ pass: 7, passReason: "refresh", inPass: true, pagesDone: 2, passPages: 12, totalPages: 20 })).toBe(
      "refreshing the copy: 2 of 12 pages that can still change",
    );
  });

  it("says when the copy is complete", () => {
    expect(at({ frozen: true, pass: 1, passReason: "first", pagesDone: 5, passPages: 5 })).toBe("copied in full");
    expect(at({ pass: 3, passReason: "refresh", pagesDone: 12, passPages: 12 })).toBe("copy up to date; refreshed while the batch runs");
  });

  it("rounds waits to minutes", () => {
    expect(formatWait(59_999)).toBe("under a minute");
    expect(formatWait(150_000)).toBe("about 3 min");
  });
});
