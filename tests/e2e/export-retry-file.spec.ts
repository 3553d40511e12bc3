import { readFile } from "node:fs/promises";

import type { Page } from "@playwright/test";
import { parse } from "csv-parse/sync";

import type { SandboxCall } from "@/lib/sandbox/types";

import { sandbox } from "./fixtures/sandbox";
import { expect, test } from "./fixtures/test";

// The browser-level proof of the two layouts: the "calls to retry" file downloaded from the menu
// carries Trillet's values byte for byte (it is uploaded back to Trillet, where a guard quote
// would become data), and the report of the same calls keeps the formula guard (lib/reports/guard.ts).
// demo-failing's metadata holds values starting with =, +, - and @ (lib/sandbox/data.ts).

const TRIGGERS = ["=", "+", "-", "@"];
const guard = (v: string) => (/^[=+\-@\t\r]/.test(v) && !/^\+[1-9]\d{1,14}$/.test(v) ? `'${v}` : v);
/** A value as RFC 4180 writes it: quoted when it holds a comma, a quote or a line break. */
const field = (v: string) => (/[",\r\n]/.test(v) || v === "" ? `"${v.replaceAll('"', '""')}"` : v);

async function download(page: Page, item: string): Promise<Buffer> {
  await page.getByTestId("export-menu").click();
  const downloading = page.waitForEvent("download");
  await page.getByTestId(item).click();
  const file = await downloading;
  return readFile((await file.path())!);
}

test("the calls-to-retry file holds Trillet's values byte for byte; the report of the same calls is guarded", async ({ page }) => {
  const { calls } = (await sandbox.truth("demo-failing")) as unknown as { calls: SandboxCall[] };
  const failed = calls.filter((c) => c.status === "failed");
  await page.goto("/w/sandbox/batches/demo-failing/failed");
  await expect(page.getByTestId("export-menu")).toBeEnabled();

  const bytes = await download(page, "export-view-retry");
  // UTF-8 without a BOM (the BOM is opt-in), parsed by a reader independent of the writer.
  expect(bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(false);
  const text = bytes.toString("utf8");
  expect(Buffer.from(text, "utf8").equals(bytes)).toBe(true);
  const [header, ...rows] = parse(text, { relax_column_count: false }) as string[][];
  expect(header![0]).toBe("phone_number");
  const keys = header!.slice(1);
  expect(rows).toHaveLength(failed.length);
  expect(rows).toEqual(failed.map((c) => [c.phone_number, ...keys.map((k) => c.metadata[k] ?? "")]));
  // Formula-looking values are there exactly as Trillet listed them, and nothing carries a guard quote.
  const values = rows.flatMap((r) => r.slice(1));
  for (const trigger of TRIGGERS) {
    const sample = values.find((v) => v.startsWith(trigger));
    expect(sample, `a value starting with ${trigger}`).toBeDefined();
    // Byte for byte in the file itself, not only after parsing.
    expect(bytes.includes(Buffer.from(`,${field(sample!)}`, "utf8")), sample).toBe(true);
  }
  expect(values.some((v) => /^'[=+\-@]/.test(v))).toBe(false);

  // The report of the same calls is for spreadsheets: the same values with the guard.
  const report = parse((await download(page, "export-view-report")).toString("utf8")) as string[][];
  const [reportHeader, ...reportRows] = report;
  const byJob = new Map(reportRows.map((r) => [r[1], Object.fromEntries(reportHeader!.map((h, i) => [h, r[i]!]))]));
  expect(byJob.size).toBe(failed.length);
  for (const c of failed) {
    const row = byJob.get(c.jobId)!;
    for (const k of keys) expect(row[k], `${c.jobId} ${k}`).toBe(guard(c.metadata[k] ?? ""));
  }
  for (const trigger of TRIGGERS)
    expect(
      reportRows.flat().some((v) => v.startsWith(`'${trigger}`)),
      trigger,
    ).toBe(true);
});
