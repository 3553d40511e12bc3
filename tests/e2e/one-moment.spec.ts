import type { Page } from "@playwright/test";

import { expect, test } from "./fixtures/test";

// One screen, one moment: every number says when it was read, and two views of a running batch
// never disagree more than the time between their moments allows. demo-live runs throughout the
// suite: its calls only move forward, so a count read later is never smaller.

const LIVE = "/w/sandbox/batches/demo-live";

async function readAt(page: Page): Promise<number> {
  return Number(await page.getByTestId("data-source").getAttribute("data-read-at"));
}

async function failedCard(page: Page): Promise<number> {
  return Number(await page.getByTestId("summary-failed").locator("[data-value]").getAttribute("data-value"));
}

/** Waits until the batch has a complete copy: the drilldown shows totals instead of "copying". */
async function waitForCopy(page: Page) {
  await expect(async () => {
    await page.goto(`${LIVE}/failed`);
    await expect(page.getByTestId("failed-total")).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 60_000 });
}

test("the drilldown's failed total and the batch page's failed count agree within the moments each shows", async ({ page }) => {
  await waitForCopy(page);
  for (let round = 0; round < 3; round++) {
    await page.goto(`${LIVE}/failed`);
    const drillFailed = Number(await page.getByTestId("failed-total").getAttribute("data-value"));
    const drillAt = Number(await page.getByTestId("copy-age").first().getAttribute("data-at"));
    expect(drillAt).toBeGreaterThan(0);

    await page.goto(LIVE);
    await expect(page.getByTestId("data-source")).toBeVisible();
    const pageFailed = await failedCard(page);
    const pageAt = await readAt(page);
    expect(pageAt).toBeGreaterThan(0);
    // The older moment never shows more failures than the newer one; the same moment, the same count.
    if (drillAt < pageAt) expect(drillFailed).toBeLessThanOrEqual(pageFailed);
    else if (drillAt > pageAt) expect(drillFailed).toBeGreaterThanOrEqual(pageFailed);
    else expect(drillFailed).toBe(pageFailed);
    await page.waitForTimeout(1_500);
  }
});

test("a search of a running batch never shows numbers older than the page it replaced without saying so", async ({ page }) => {
  await waitForCopy(page);
  await page.goto(LIVE);
  await expect(page.getByTestId("data-source")).toHaveAttribute("data-source", "upstream");
  const liveAt = await readAt(page);
  const liveFailed = await failedCard(page);

  const search = page.getByRole("searchbox");
  await search.fill("a");
  await search.press("Enter");
  await expect(page).toHaveURL(/q=a/);
  await expect(page.getByTestId("data-source")).toHaveAttribute("data-source", "mirror");
  const searchAt = await readAt(page);
  if (searchAt < liveAt) {
    // Older than what was on screen: said in words, with the later counts and a way back.
    const note = page.getByTestId("newer-live");
    await expect(note).toBeVisible();
    await expect(note.getByRole("link", { name: "Show the live view" })).toBeVisible();
    await expect(page.getByTestId("updated-ago")).toHaveAttribute("data-state", "copy");
    await note.getByRole("link", { name: "Show the live view" }).click();
    await expect(page).not.toHaveURL(/q=a/);
    await expect(page.getByTestId("data-source")).toHaveAttribute("data-source", "upstream");
    expect(await failedCard(page)).toBeGreaterThanOrEqual(liveFailed);
  } else {
    expect(await failedCard(page)).toBeGreaterThanOrEqual(liveFailed);
  }
});
