import { sandbox } from "./fixtures/sandbox";
import { E2E } from "./fixtures/settings";
import { expect, test } from "./fixtures/test";

const cardValue = async (page: import("@playwright/test").Page, key: string) =>
  Number(await page.getByTestId(`summary-${key}`).locator("[data-value]").getAttribute("data-value"));

test("the live batch's counts rise without reloading, and every number on screen agrees", async ({ page }) => {
  await sandbox.configure({ liveSpeed: 40 });
  try {
    await page.goto("/w/sandbox/batches/demo-live");
    await expect(page.getByTestId("updated-ago")).toContainText("Live");
    const before = (await cardValue(page, "completed")) + (await cardValue(page, "failed"));
    await expect
      .poll(async () => (await cardValue(page, "completed")) + (await cardValue(page, "failed")), { timeout: 20_000 })
      .toBeGreaterThan(before);
    // Cards, tabs and the table come from one read.
    const parts = await Promise.all(["waiting", "active", "completed", "failed"].map((k) => cardValue(page, k)));
    expect(parts.reduce((a, b) => a + b, 0)).toBe(await cardValue(page, "total"));
    await expect(page.getByTestId("tab-count-failed")).toHaveText((await cardValue(page, "failed")).toLocaleString("en-US"));

    await page.getByRole("button", { name: "Pause" }).click();
    await expect(page.getByTestId("updated-ago")).toContainText("paused");
    const frozenAt = await cardValue(page, "completed");
    await page.waitForTimeout(6_000);
    expect(await cardValue(page, "completed")).toBe(frozenAt);
  } finally {
    await sandbox.configure({ liveSpeed: 1 });
  }
});

test("a copied link reopens exactly the same view for a colleague", async ({ page, context, browser }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: E2E.appUrl });
  await page.goto("/w/sandbox/batches/demo-failing");
  await page.getByRole("link", { name: /^Failed/ }).click();
  await expect(page).toHaveURL(/status=failed/);
  await page.getByRole("navigation", { name: "Rows per page" }).getByRole("link", { name: "50" }).click();
  await expect(page).toHaveURL(/limit=50/);
  await page.getByRole("link", { name: "Next page" }).click();
  await expect(page).toHaveURL(/status=failed&page=2&limit=50/);
  const rows = await page
    .getByTestId("calls-table")
    .locator("tbody tr")
    .evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-job-id")));
  expect(rows).toHaveLength(50);
  await page.getByTestId("copy-link").click();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  expect(link).toBe(page.url());

  const colleague = await browser.newContext({ storageState: "test-results/e2e-admin.json" });
  const other = await colleague.newPage();
  await other.goto(link);
  const theirs = await other
    .getByTestId("calls-table")
    .locator("tbody tr")
    .evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-job-id")));
  expect(theirs).toEqual(rows);
  await colleague.close();
});

test("browser back and forward move between views", async ({ page }) => {
  await page.goto("/w/sandbox/batches/demo-finished");
  await page.getByRole("link", { name: /^Failed/ }).click();
  await expect(page).toHaveURL(/status=failed/);
  await page.getByRole("link", { name: /^Completed/ }).click();
  await expect(page).toHaveURL(/status=completed/);
  await page.goBack();
  await expect(page).toHaveURL(/status=failed/);
  await expect(page.getByTestId("calls-table").locator("tbody [data-status]").first()).toHaveAttribute("data-status", "failed");
  await page.goForward();
  await expect(page).toHaveURL(/status=completed/);
});

test("search and sort live in the URL once the batch is copied", async ({ page }) => {
  await page.goto("/w/sandbox/batches/demo-finished");
  // The first visit starts the copy; a finished batch of 150 calls takes two requests.
  await expect
    .poll(
      async () => {
        await page.reload();
        return page.getByTestId("data-source").getAttribute("data-source");
      },
      { timeout: 30_000 },
    )
    .toBe("mirror");
  await page.getByRole("searchbox", { name: "Search calls" }).fill("+44");
  await expect(page).toHaveURL(/q=%2B44/);
  const phones = await page.getByTestId("calls-table").locator("tbody tr").getByTestId("call-phone").allTextContents();
  expect(phones.length).toBeGreaterThan(0);
  expect(phones.every((p) => p.includes("+44"))).toBe(true);
  await page.getByRole("link", { name: /^Duration/ }).click();
  // The header's link changes with the page: a second click before that would repeat the first.
  await expect(page).toHaveURL(/sort=duration/);
  await page.getByRole("link", { name: /^Duration/ }).click();
  await expect(page).toHaveURL(/sort=-duration/);
  await expect(page.getByRole("columnheader", { name: /Duration/ })).toHaveAttribute("aria-sort", "descending");
});

test("a batch being copied shows the copy's progress, counting up", async ({ page }) => {
  // 200 pages read slowly: the first copy is under way for a while.
  const { id } = await sandbox.createBatch("copy-progress", 20_000, 0.3);
  await sandbox.configure({ latencyMs: 400 });
  try {
    await page.goto(`/w/sandbox/batches/${id}`);
    const progress = page.getByTestId("mirror-progress");
    const pagesDone = async () => {
      await page.reload();
      const match = /(\d+) of 200 pages/.exec((await progress.textContent()) ?? "");
      return match ? Number(match[1]) : -1;
    };
    await expect.poll(pagesDone, { timeout: 40_000 }).toBeGreaterThan(0);
    const first = await pagesDone();
    await expect.poll(pagesDone, { timeout: 40_000 }).toBeGreaterThan(first);
    await expect(progress).toContainText("copying for search and reports");
  } finally {
    await sandbox.configure({ latencyMs: 0 });
  }
});

test("screenshots of the batch page, desktop and 390 px", async ({ page }) => {
  await page.goto("/w/sandbox/batches/demo-failing");
  await expect(page.getByTestId("summary-total")).toBeVisible();
  await page.screenshot({ path: "test-results/screenshots/batch-page-desktop.png", fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await expect(page.getByTestId("summary-total")).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: "test-results/screenshots/batch-page-390.png", fullPage: true });
});

test("the failure drilldown's reasons add up to the failed total, and each opens its calls' metadata", async ({ page }) => {
  const { summary } = await sandbox.truth("demo-failing");
  await page.goto("/w/sandbox/batches/demo-failing");
  await page.getByRole("link", { name: "Failures" }).click();
  await expect(page).toHaveURL(/\/failed$/);
  await expect
    .poll(
      async () => {
        await page.reload();
        return page.getByTestId("reason-row").count();
      },
      { timeout: 30_000 },
    )
    .toBeGreaterThanOrEqual(6);
  const counts = await page.getByTestId("reason-row").evaluateAll((rows) => rows.map((r) => Number(r.getAttribute("data-count"))));
  expect(counts.reduce((a, b) => a + b, 0)).toBe(summary.failed);
  await expect(page.getByTestId("failed-total")).toHaveAttribute("data-value", String(summary.failed));

  await page.getByTestId("reason-row").first().getByRole("link").first().click();
  await expect(page).toHaveURL(/reason=/);
  const firstCall = page.getByTestId("failed-call").first();
  await firstCall.getByRole("button").first().click();
  await expect(firstCall.getByTestId("metadata-table")).toBeVisible();
  await expect(firstCall.getByTestId("metadata-table")).toContainText("email");
});

test("a call opens in a linkable detail sheet with its metadata, local time and UTC", async ({ page, browser }) => {
  await page.goto("/w/sandbox/batches/demo-finished?status=completed");
  const row = page.getByTestId("calls-table").locator("tbody tr").first();
  const jobId = await row.getAttribute("data-job-id");
  await row.getByRole("button", { name: /Details of call/ }).click();
  await expect(page).toHaveURL(new RegExp(`call=${jobId}`));
  const sheet = page.getByTestId("call-detail");
  await expect(sheet).toBeVisible();
  await expect(sheet.getByTestId("metadata-table")).toContainText("first_name");
  await expect(sheet).toContainText("UTC");

  const colleague = await browser.newContext({ storageState: "test-results/e2e-admin.json" });
  const other = await colleague.newPage();
  await other.goto(page.url());
  await expect(other.getByTestId("call-detail")).toBeVisible();
  await expect(other.getByTestId("call-detail")).toHaveAttribute("data-job-id", jobId!);
  await colleague.close();
  await page.keyboard.press("Escape");
  await expect(page).not.toHaveURL(/call=/);
});

test("the batches list shows opened batches and opens one from a pasted link", async ({ page, baseURL }) => {
  await page.goto("/w/sandbox/batches/demo-finished");
  await page.goto("/w/sandbox/batches");
  await expect(
    page
      .getByTestId("batch-row")
      .filter({ has: page.locator('[data-batch-id="demo-finished"]') })
      .or(page.locator('[data-testid="batch-row"][data-batch-id="demo-finished"]')),
  ).not.toHaveCount(0);
  await page.getByTestId("open-batch").getByRole("textbox").fill(`${baseURL}/w/sandbox/batches/demo-empty?status=failed`);
  await page.getByTestId("open-batch").getByRole("button").click();
  await expect(page).toHaveURL(/\/w\/sandbox\/batches\/demo-empty\?status=failed/);
  await expect(page.getByTestId("calls-empty")).toBeVisible();
});

test("the home page lists the workspace's recent batches, each one click away", async ({ page }) => {
  await page.goto("/w/sandbox/batches/demo-finished");
  await expect(page.getByTestId("summary-total")).toBeVisible();
  await page.goto("/");
  const recent = page.getByTestId("recent-batches").first();
  const link = recent.locator(`a[href$="/demo-finished"]`);
  await expect(link).toBeVisible();
  await expect(recent.locator("li").filter({ has: page.locator(`a[href$="/demo-finished"]`) })).toContainText("Finished");
  await page
    .getByRole("link", { name: /^All [\d,.\s]+ batches$/ })
    .first()
    .click();
  await expect(page).toHaveURL(/\/w\/sandbox\/batches$/);
  await page.goto("/");
  await link.click();
  await expect(page).toHaveURL(/\/w\/sandbox\/batches\/demo-finished$/);
});
