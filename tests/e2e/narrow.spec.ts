import type { Locator, Page, TestInfo } from "@playwright/test";

import { expect, test } from "./fixtures/test";

// At 390 px (a phone), no table column may be cut off without saying so: every header cell is
// either inside its scroll box's visible width, or that box shows the sideways scroll cue. The
// status tabs show the cue when some are off screen. Screenshots go to test-results/ and the report.

test.use({ viewport: { width: 390, height: 844 } });

async function shot(page: Page, testInfo: TestInfo, name: string) {
  const path = testInfo.outputPath(`${name}-390.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(`${name} at 390 px`, { path, contentType: "image/png" });
}

/** Every visible header cell of the table ends within its scroll box, or the box shows its cue. */
async function expectNoHiddenColumn(table: Locator) {
  // The cue is set once the page is interactive: poll until the table and its cue agree.
  await expect
    .poll(() =>
      table.evaluate((el) => {
        const box = el.closest("[data-scroll-cue]");
        if (!box) return "no scroll box";
        const right = el.parentElement!.getBoundingClientRect().right;
        const cut = [...el.querySelectorAll("thead th")]
          .filter((th) => (th as HTMLElement).offsetParent !== null)
          .filter((th) => th.getBoundingClientRect().right > right + 1)
          .map((th) => th.textContent?.trim() ?? "");
        const cue = box.getAttribute("data-scroll-cue");
        return cut.length === 0 || cue === "end" || cue === "both" ? "ok" : `cut without a cue: ${cut.join(", ")}`;
      }),
    )
    .toBe("ok");
}

test("the batches list fits at 390 px, or says it scrolls", async ({ page }, testInfo) => {
  await page.goto("/w/sandbox/batches/demo-finished");
  await page.goto("/w/sandbox/batches");
  const table = page.getByTestId("batches-table");
  await expect(table).toBeVisible();
  await expectNoHiddenColumn(table);
  await shot(page, testInfo, "batches-list");
});

test("the batch page and a call's panel at 390 px: tabs and table say when they scroll", async ({ page }, testInfo) => {
  await page.goto("/w/sandbox/batches/demo-finished");
  const table = page.getByTestId("calls-table");
  await expect(table).toBeVisible();
  await expectNoHiddenColumn(table);

  // The tabs are wider than the screen: the cue shows there are more.
  const tabs = page.getByTestId("status-tabs");
  const tabsCue = tabs.locator("[data-scroll-cue]");
  const overflowing = await tabsCue.evaluate((el) => {
    const scroller = el.firstElementChild as HTMLElement;
    return scroller.scrollWidth > scroller.clientWidth;
  });
  if (overflowing) await expect(tabsCue).toHaveAttribute("data-scroll-cue", /^(end|both)$/);
  await shot(page, testInfo, "batch-page");

  // The current tab is brought into view when it is one of the last.
  await page.goto("/w/sandbox/batches/demo-finished?status=failed");
  const failed = tabs.getByRole("link", { name: /^Failed/ });
  // Sideways, within the tab strip's visible part (the strip itself may be below the fold).
  await expect
    .poll(() =>
      failed.evaluate((el) => {
        const strip = el.closest("[data-scroll-cue]")!.firstElementChild!.getBoundingClientRect();
        const tab = el.getBoundingClientRect();
        return tab.left >= strip.left - 1 && tab.right <= strip.right + 1;
      }),
    )
    .toBe(true);
  if (overflowing) await expect(tabsCue).toHaveAttribute("data-scroll-cue", /^(start|both)$/);

  // A call's panel: the job ID wraps as a block, never one character on its own line.
  await page
    .getByTestId("calls-table")
    .locator("tbody tr")
    .first()
    .getByRole("button", { name: /Details of call/ })
    .click();
  const sheet = page.getByTestId("call-detail-sheet");
  await expect(sheet.getByTestId("call-detail")).toBeVisible();
  await expect(sheet.getByTestId("copy-call-link")).toBeVisible();
  const lines = await sheet.getByTestId("call-job-id").evaluate((el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    const rects = [...range.getClientRects()];
    return rects.map((r) => Math.round(r.width));
  });
  // One line, or lines of which the last is more than a couple of characters wide.
  if (lines.length > 1) expect(lines.at(-1)!).toBeGreaterThan(20);
  await shot(page, testInfo, "call-panel");
});
