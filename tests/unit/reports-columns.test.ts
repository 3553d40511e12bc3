import { describe, expect, it } from "vitest";

import { columnSpec, REPORT_COLUMNS } from "@/lib/reports/columns";
import type { TrilletCall } from "@/lib/trillet/schemas";

const call: TrilletCall = {
  jobId: "=j1",
  status: "failed",
  phoneNumber: "+14155550123",
  startTime: Date.UTC(2026, 10, 29, 15, 2, 7, 120),
  endTime: null,
  durationSec: 12,
  error: "-busy",
  metadata: { note: "+cmd", status: "@x", n: 3 } as unknown as Record<string, string>,
};

describe("export columns: one table of { name, cell }", () => {
  it("reads the header and every cell of a row from the same table, in both layouts", () => {
    for (const format of ["report", "retry"] as const) {
      const spec = columnSpec(format, "b1", ["note", "status", "n", "missing"]);
      expect(spec.row(call)).toEqual(spec.columns.map((c) => c.cell(call)));
      expect(spec.header).toHaveLength(spec.columns.length);
    }
  });

  it("appends the metadata columns after the fixed ones, a colliding key prefixed", () => {
    const report = columnSpec("report", "b1", ["note", "status"]);
    expect(report.header).toEqual([...REPORT_COLUMNS, "note", "metadata.status"]);
    expect(report.row(call)).toEqual([
      "b1",
      "'=j1",
      "failed",
      "+14155550123",
      "2026-11-29T15:02:07.120Z",
      "",
      "12",
      "'-busy",
      "'+cmd",
      "'@x",
    ]);
    // The retry file is Trillet's layout with Trillet's values untouched.
    const retry = columnSpec("retry", "b1", ["note", "status", "n"]);
    expect(retry.header).toEqual(["phone_number", "note", "status", "n"]);
    expect(retry.row(call)).toEqual(["+14155550123", "+cmd", "@x", "3"]);
  });
});
