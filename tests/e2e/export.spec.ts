import { readFile } from "node:fs/promises";

import { parse } from "csv-parse/sync";

import type { SandboxCall } from "@/lib/sandbox/types";

import { sandbox } from "./fixtures/sandbox";
import { expect, test } from "./fixtures/test";

const guard = (v: string) => (/^[=+\-@\t\r]/.test(v) && !/^\+[1-9]\d{1,14}$/.test(v) ? `'${v}` : v);

test.afterEach(async () => {
  await sandbox.clearFaults();
});

test("the export menu downloads demo-finished's report with the sandbox's rows", async ({ page }) => {
  const { calls } = (await sandbox.truth("demo-finished")) as unknown as { calls: SandboxCall[] };
  await page.goto("/w/sandbox/batches/demo-finished");
  await page.getByTestId("export-menu").click();
  const downloading = page.waitForEvent("download");
  await page.getByRole("menuitem", { name: "All calls: report" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^demo-finished_\d{8}T\d{4}Z\.csv$/);
  const text = await readFile((await download.path())!, "utf8");
  // csv-parse: a parser independent of the writer (Papa Parse), strict about record lengths.
  const [header, ...rows] = parse(text) as string[][];
  const keys = [...new Set(calls.flatMap((c) => Object.keys(c.metadata)))];
  const fixed = ["batch_id", "job_id", "status", "phone_number", "start_time", "end_time", "duration_s", "error"];
  expect(header!.slice(0, fixed.length)).toEqual(fixed);
  // Metadata columns: the batch's key union in first-seen order, walked or mirrored alike.
  expect(header!.slice(fixed.length)).toEqual(keys);
  expect(rows).toHaveLength(calls.length);
  const byJob = new Map(rows.map((r) => [r[1], Object.fromEntries(header!.map((h, i) => [h, r[i]]))]));
  for (const c of calls) {
    expect(byJob.get(c.jobId)).toEqual({
      batch_id: "demo-finished",
      job_id: c.jobId,
      status: c.status,
      phone_number: guard(c.phone_number),
      start_time: c.startTime === undefined ? "" : new Date(c.startTime).toISOString(),
      end_time: c.endTime === undefined ? "" : new Date(c.endTime).toISOString(),
      duration_s: c.duration === undefined ? "" : String(c.duration),
      error: guard(c.error ?? ""),
      ...Object.fromEntries(keys.map((k) => [k, guard(c.metadata[k] ?? "")])),
    });
  }
  await expect(page.getByText(`Exported ${calls.length} rows`)).toBeVisible();
});

test("an export interrupted by a permanent upstream failure fails visibly and is audited", async ({ page }) => {
  await page.goto("/w/sandbox/batches/demo-live");
  await expect(page.getByTestId("export-menu")).toBeVisible();
  let downloads = 0;
  page.on("download", () => downloads++);
  await sandbox.setFaults([{ kind: "5xx", rate: 1, batchId: "demo-live", afterRequests: 3 }]);
  await page.getByTestId("export-menu").click();
  await page.getByRole("menuitem", { name: "All calls: report" }).click();
  const failed = page.getByTestId("export-failed");
  await expect(failed).toBeVisible({ timeout: 45_000 });
  await expect(failed).toContainText("Export failed");
  await expect(page.getByTestId("export-retry")).toBeVisible();
  expect(downloads).toBe(0);
  await sandbox.clearFaults();

  await page.goto("/settings/audit");
  await expect(page.getByRole("row").filter({ hasText: "export.failed" }).filter({ hasText: "demo-live" }).first()).toBeVisible();
});

test("a walk that fails after the download started ends as a failed download, not a short file", async ({ page }) => {
  // The response (status and headers) starts once the walk's first page answered; the fault is
  // armed then, with slow reads so the walk cannot finish first. Every later read of demo-live
  // fails after 3 more (whoever makes them), so the walk fails midway and the stream must error.
  await page.goto("/w/sandbox/batches/demo-live/failed");
  await expect(page.getByTestId("export-menu")).toBeVisible();
  let downloads = 0;
  page.on("download", () => downloads++);
  await sandbox.configure({ latencyMs: 300 });
  try {
    await page.getByTestId("export-menu").click();
    const started = page.waitForResponse((r) => r.url().includes("/export"));
    await page.getByRole("menuitem", { name: "All calls: report" }).click();
    const response = await started;
    expect(response.status()).toBe(200);
    await sandbox.setFaults([{ kind: "5xx", rate: 1, batchId: "demo-live", afterRequests: 3 }]);
    await expect(page.getByTestId("export-progress")).toBeVisible();
    const failed = page.getByTestId("export-failed");
    await expect(failed).toBeVisible({ timeout: 45_000 });
    await expect(failed).toContainText("stopped before the file was complete");
    expect(downloads).toBe(0);
  } finally {
    await sandbox.clearFaults();
    await sandbox.configure({ latencyMs: 0 });
  }

  await page.goto("/settings/audit");
  await expect(
    page
      .getByRole("row")
      .filter({ hasText: "export.failed" })
      .filter({ hasText: "demo-live" })
      .filter({ hasText: /Reading the whole batch|Trillet is unreachable/ })
      .first(),
  ).toBeVisible();
});

for (const viewport of [
  { width: 1366, height: 768 },
  { width: 390, height: 844 },
]) {
  test(`a long export shows its progress in plain words in one stable area with one Cancel button (${viewport.width} px)`, async ({
    page,
  }) => {
    // Slow reads make the walk of demo-live (20 pages, a few read at once) last seconds: the menu polls its progress.
    await page.setViewportSize(viewport);
    await page.goto("/w/sandbox/batches/demo-live");
    const button = page.getByTestId("export-menu");
    await expect(button).toBeVisible();
    const title = page.getByRole("heading", { level: 1 });
    const before = { button: await button.boundingBox(), title: await title.boundingBox() };
    let downloads = 0;
    page.on("download", () => downloads++);
    await sandbox.configure({ latencyMs: 1_200 });
    try {
      await button.click();
      await page.getByRole("menuitem", { name: "All calls: report" }).click();
      const progress = page.getByTestId("export-progress");
      await expect(progress).toContainText(/^Fetching calls from Trillet: [\d.,\s\u202f]+ of [\d.,\s\u202f]+/, { timeout: 15_000 });
      // Nothing moved: the Export button and the title stay where they were.
      expect(await button.boundingBox()).toEqual(before.button);
      expect(await title.boundingBox()).toEqual(before.title);
      // The area sits inside the viewport, and no jargon about budgets is shown.
      const area = (await page.getByTestId("export-status").boundingBox())!;
      expect(area.x).toBeGreaterThanOrEqual(0);
      expect(area.x + area.width).toBeLessThanOrEqual(viewport.width);
      await expect(page.getByTestId("export-status")).not.toContainText(/budget|requests left/i);
      // One Cancel button on the page (the toasts carry none).
      await expect(page.getByRole("button", { name: "Cancel", exact: true })).toHaveCount(1);
      await page.getByTestId("export-cancel").click();
      await expect(page.getByTestId("export-status")).toHaveAttribute("data-phase", "idle");
      await expect(page.getByText("Export cancelled")).toBeVisible();
      expect(await button.boundingBox()).toEqual(before.button);
      expect(downloads).toBe(0);
    } finally {
      await sandbox.configure({ latencyMs: 0 });
    }
  });
}

test("a walking export's time left comes from its measured rate", async ({ page }) => {
  // demo-live's 20 pages at 1.2 s each (a few read at once; TRILLET_TIMEOUT_MS is 2 s in the suite): after a few seconds of samples the estimate appears.
  await page.goto("/w/sandbox/batches/demo-live");
  await expect(page.getByTestId("export-menu")).toBeVisible();
  await sandbox.configure({ latencyMs: 1_200 });
  try {
    await page.getByTestId("export-menu").click();
    await page.getByRole("menuitem", { name: "All calls: report" }).click();
    await expect(page.getByTestId("export-progress")).toContainText(
      /Fetching calls from Trillet: .+ of .+ · (about \d+ min|under a minute) left/,
      {
        timeout: 30_000,
      },
    );
    await page.getByTestId("export-cancel").click();
    await expect(page.getByTestId("export-status")).toHaveAttribute("data-phase", "idle");
  } finally {
    await sandbox.configure({ latencyMs: 0 });
  }
});

test("the menu says which file is for spreadsheets and which is for uploading to Trillet", async ({ page }) => {
  await page.goto("/w/sandbox/batches/demo-finished");
  await page.getByTestId("export-menu").click();
  await expect(page.getByTestId("export-all-report")).toContainText("For spreadsheets");
  await expect(page.getByTestId("export-all-retry")).toContainText("To upload to Trillet");
  await page.keyboard.press("Escape");
});

test("a third export at once is not started: the menu says why, and it runs once the others end", async ({ page }) => {
  // Slow reads keep two exports of demo-live (a running batch: never mirrored, always walked)
  // reading Trillet while the menu asks for a third; the limit is 2 per user (EXPORT_MAX_PER_USER).
  await page.goto("/w/sandbox/batches/demo-live");
  await expect(page.getByTestId("export-menu")).toBeVisible();
  let downloads = 0;
  page.on("download", () => downloads++);
  await sandbox.configure({ latencyMs: 1_000 });
  try {
    // Started (each answered its first page, so each holds a slot) and read in the background.
    await page.evaluate(async () => {
      const path = `${location.pathname.replace("/w/", "/api/w/")}/export`;
      const held = window as unknown as { __running: Promise<number>[] };
      held.__running = [];
      for (const query of ["", "?bom=1"]) {
        const response = await fetch(path + query, { cache: "no-store" });
        held.__running.push(response.text().then((text) => (response.ok ? text.length : -response.status)));
      }
    });
    await page.getByTestId("export-menu").click();
    await page.getByRole("menuitem", { name: "All calls: report" }).click();
    const limited = page.getByTestId("export-limited");
    await expect(limited).toContainText("Export not started");
    await expect(limited).toContainText(/You already have 2 exports reading from Trillet.*Try again when one finishes \(in about \d+/);
    await expect(page.getByTestId("export-failed")).toHaveCount(0);
    expect(downloads).toBe(0);
    // The two that were running complete.
    const sizes = await page.evaluate(() => Promise.all((window as unknown as { __running: Promise<number>[] }).__running));
    expect(sizes.every((bytes) => bytes > 10_000)).toBe(true);
  } finally {
    await sandbox.configure({ latencyMs: 0 });
  }
  const downloading = page.waitForEvent("download");
  await page.getByTestId("export-retry").click();
  await downloading;
  await expect(page.getByText(/Exported [\d,]+ rows/)).toBeVisible();

  await page.goto("/settings/audit");
  await expect(
    page.getByRole("row").filter({ hasText: "export.failed" }).filter({ hasText: "already have 2 exports" }).first(),
  ).toBeVisible();
});
