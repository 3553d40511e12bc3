import type { Locator, Page } from "@playwright/test";

import { USERS } from "./fixtures/auth";
import { expect, test } from "./fixtures/test";

// The batch journey with the keyboard alone: every step is a key press, and after each one the
// focus is where a keyboard user expects it (on the control just used, never back on <body>).

const BATCH = "demo-failing";

/** Presses Tab (or Shift+Tab) until `target` has the focus; fails after `max` presses. */
async function tabTo(page: Page, target: Locator, { back = false, max = 80 } = {}) {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
    await page.keyboard.press(back ? "Shift+Tab" : "Tab");
  }
  await expect(target).toBeFocused();
}

/** Focus is on a real control, not dropped on the page. */
async function expectFocusKept(page: Page) {
  expect(await page.evaluate(() => document.activeElement?.tagName)).not.toBe("BODY");
}

test.describe("signed out", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("signs in with the keyboard alone", async ({ page }) => {
    await page.goto("/login");
    const email = page.getByLabel("Email");
    await tabTo(page, email);
    await page.keyboard.type(USERS.member.email);
    await page.keyboard.press("Tab");
    await expect(page.getByLabel("Password")).toBeFocused();
    await page.keyboard.type(USERS.member.password);
    await page.keyboard.press("Enter");
    await expect(page).not.toHaveURL(/\/login/);
    await expect(page.getByRole("heading", { name: "Your Trillet workspaces" })).toBeVisible();
  });
});

test("a batch, its tabs, sorting, pages, a call and the export menu, by keyboard alone", async ({ page }) => {
  // Sorting needs Batchboard's copy of the batch: open it once and wait for the copy.
  await page.goto(`/w/sandbox/batches/${BATCH}`);
  await expect
    .poll(async () => ((await (await page.request.get(`/api/w/sandbox/batches/${BATCH}`)).json()) as { source?: string }).source, {
      timeout: 30_000,
    })
    .toBe("mirror");

  // The list: Tab to the batch's link, Enter opens it.
  await page.goto("/w/sandbox/batches");
  const batchLink = page.getByTestId("batches-table").locator(`[data-batch-id="${BATCH}"] a`).first();
  await tabTo(page, batchLink);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/batches/${BATCH}$`));
  await expect(page.getByTestId("calls-table")).toBeVisible();

  // A status tab: focus stays on it once the filtered rows are in.
  const failedTab = page.getByRole("navigation", { name: "Filter calls by status" }).getByRole("link", { name: /^Failed/ });
  await tabTo(page, failedTab);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/status=failed/);
  await expect(page.getByTestId("calls-table")).toBeVisible();
  await expect(failedTab).toHaveAttribute("aria-current", "page");
  await expect(failedTab).toBeFocused();

  // A sort header: focus stays on it, and it says how the rows are sorted.
  const duration = page.getByRole("link", { name: /^Duration/ });
  await tabTo(page, duration);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/sort=duration/);
  await expect(page.getByRole("columnheader", { name: /Duration/ })).toHaveAttribute("aria-sort", "ascending");
  await expect(duration).toBeFocused();

  // Next page: focus stays on "Next page".
  const next = page.getByRole("link", { name: "Next page" });
  await tabTo(page, next);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/page=2/);
  await expect(page.getByTestId("range")).toHaveText(/^21–40 of /);
  await expect(next).toBeFocused();

  // Shift+Tab goes on from there (to "Previous page"), not from the top of the page.
  await page.keyboard.press("Shift+Tab");
  await expectFocusKept(page);
  await expect(page.getByRole("link", { name: "Previous page" })).toBeFocused();

  // A call: Enter opens its panel with the focus inside, Esc closes it and focus returns to the row.
  const opener = page
    .getByTestId("calls-table")
    .locator("tbody tr")
    .first()
    .getByRole("button", { name: /Details of call/ });
  await tabTo(page, opener, { back: true });
  await page.keyboard.press("Enter");
  const sheet = page.getByTestId("call-detail-sheet");
  await expect(sheet).toBeVisible();
  await expect(page).toHaveURL(/call=/);
  expect(await sheet.evaluate((el) => el.contains(document.activeElement))).toBe(true);
  await expect(sheet.getByTestId("copy-call-link")).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(sheet).toHaveCount(0);
  await expect(page).not.toHaveURL(/call=/);
  await expect(opener).toBeFocused();

  // The export menu: Enter opens it with the focus in the menu, the arrow keys reach its items,
  // Esc closes it back onto its button.
  const exportButton = page.getByTestId("export-menu");
  await tabTo(page, exportButton, { back: true });
  await page.keyboard.press("Enter");
  const menu = page.getByRole("menu");
  await expect(menu).toBeVisible();
  expect(await menu.evaluate((el) => el.contains(document.activeElement))).toBe(true);
  await page.keyboard.press("ArrowDown");
  await expect(page.getByRole("menuitem").first()).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("menuitem")).toHaveCount(0);
  await expect(exportButton).toBeFocused();
});
