import { describe, expect, it } from "vitest";

import { CsvRecordCounter, fileNameOf } from "@/components/reports/csv-progress";
import { columnSpec, isoUtc } from "@/lib/reports/columns";
import { exportFileName } from "@/lib/reports/filename";
import { guardCell, isE164 } from "@/lib/reports/guard";
import { csvRecords } from "@/lib/reports/writer";

import { OWASP_PAYLOADS } from "../support/owasp";

describe("formula guard", () => {
  it("neutralises every OWASP payload with a leading single quote", () => {
    for (const payload of OWASP_PAYLOADS) expect(guardCell(payload)).toBe(`'${payload}`);
  });

  it("leaves E.164 phone numbers, plain text and non-Latin text exactly as they are", () => {
    for (const value of [
      "+14155550123",
      "+442071838750",
      "+8613800138000",
      "Zoë",
      "山田 太郎",
      "Ελένη",
      "محمد",
      "😀 ok",
      "",
      "0044 20",
      "'quoted",
    ]) {
      expect(guardCell(value)).toBe(value);
    }
    expect(isE164("+14155550123")).toBe(true);
    // Not E.164: a leading zero, too long, spaces, a formula that starts like a number.
    for (const value of ["+0123456", "+1234567890123456", "+1 415 555 0123", "+1415555012+cmd", "+1"]) {
      expect(isE164(value)).toBe(false);
      expect(guardCell(value)).toBe(`'${value}`);
    }
  });

  it("guards metadata and error cells, and header names taken from metadata keys", () => {
    const spec = columnSpec("report", "b1", ["=evil", "note"]);
    expect(spec.header.slice(-2)).toEqual(["'=evil", "note"]);
    const row = spec.row({
      jobId: "j1",
      status: "failed",
      phoneNumber: "+14155550123",
      startTime: Date.UTC(2026, 10, 29, 15, 2, 7, 120),
      endTime: null,
      durationSec: null,
      error: "-busy",
      metadata: { "=evil": "@SUM(1)", note: "fine" },
    });
    expect(row).toEqual(["b1", "j1", "failed", "+14155550123", "2026-11-29T15:02:07.120Z", "", "", "'-busy", "'@SUM(1)", "fine"]);
  });

  it("writes RFC 4180 records: CRLF, quotes doubled, line breaks quoted", () => {
    expect(csvRecords([["a", 'say "hi"', "x,y", "l1\nl2", "r\r"]])).toBe('a,"say ""hi""","x,y","l1\nl2","r\r"\r\n');
    expect(
      csvRecords([
        ["", ""],
        ["x", ""],
      ]),
    ).toBe(",\r\nx,\r\n");
  });

  it("keeps a one-column record with an empty field as a record, not a blank line readers skip", () => {
    expect(csvRecords([["phone_number"], [""], ["+14155550123"]])).toBe('phone_number\r\n""\r\n+14155550123\r\n');
  });

  it("writes times exactly as Date#toISOString does", () => {
    const edges = [
      0,
      -1,
      1,
      999,
      86_399_999,
      86_400_000,
      Date.UTC(2026, 10, 29, 23, 59, 59, 999),
      -62_167_219_200_001,
      253_402_300_799_999,
      8.64e15,
      -8.64e15,
    ];
    const random = Array.from({ length: 5_000 }, () => Math.floor((Math.random() - 0.3) * 4e12));
    for (const ms of [...edges, ...random]) expect(isoUtc(ms)).toBe(new Date(ms).toISOString());
    expect(isoUtc(null)).toBe("");
    expect(() => isoUtc(8.64e15 + 86_400_000)).toThrow(RangeError);
  });

  it("names files after batch, filter and UTC minute, in safe characters", () => {
    const at = new Date(Date.UTC(2026, 10, 29, 15, 2, 59));
    expect(exportFileName({ batchId: "demo-failing", format: "report", status: "failed", reason: "number busy", at })).toBe(
      "demo-failing_failed_number-busy_20261129T1502Z.csv",
    );
    expect(exportFileName({ batchId: "demo-finished", format: "report", status: "all", at })).toBe("demo-finished_20261129T1502Z.csv");
    expect(exportFileName({ batchId: 'b/../x"y', format: "retry", status: "failed", q: "Zoë <script>", at })).toMatch(
      /^[A-Za-z0-9_-]+\.csv$/,
    );
  });

  it("counts CSV rows as bytes arrive, line breaks inside quotes included", () => {
    const counter = new CsvRecordCounter();
    const csv = csvRecords([
      ["h1", "h2"],
      ["a", "multi\r\nline"],
      ['"q"', "b"],
      ["c", "d"],
    ]);
    for (let i = 0; i < csv.length; i += 3) counter.push(csv.slice(i, i + 3));
    expect(counter.rows).toBe(3);
    expect(fileNameOf("attachment; filename=\"x_20261129T1502Z.csv\"; filename*=UTF-8''x", "f.csv")).toBe("x_20261129T1502Z.csv");
    expect(fileNameOf(null, "f.csv")).toBe("f.csv");
  });
});
