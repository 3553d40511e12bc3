import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";

import { expect, test } from "./fixtures/test";

// axe on every main page, in light and dark: no serious or critical violation.

async function audit(page: Page, label: string) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const bad = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${label}: ${v.id} (${v.impact}) ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(" "))
          .join(" | ")}`,
    );
  expect(bad).toEqual([]);
}

const PAGES: { name: string; url: string; ready: (page: Page) => Promise<void> }[] = [
  { name: "batches list", url: "/w/sandbox/batches", ready: (p) => expect(p.getByRole("heading", { level: 1 })).toBeVisible() },
  { name: "batch page", url: "/w/sandbox/batches/demo-failing", ready: (p) => expect(p.getByTestId("batch-charts")).toBeVisible() },
  {
    name: "failure drilldown",
    url: "/w/sandbox/batches/demo-failing/failed",
    ready: (p) => expect(p.getByRole("heading", { level: 1 })).toBeVisible(),
  },
  { name: "settings: members", url: "/settings/members", ready: (p) => expect(p.getByRole("heading", { level: 1 })).toBeVisible() },
  { name: "settings: workspaces", url: "/settings/workspaces", ready: (p) => expect(p.getByRole("heading", { level: 1 })).toBeVisible() },
  {
    name: "settings: notifications",
    url: "/settings/workspaces/sandbox/notifications",
    ready: (p) => expect(p.getByRole("heading", { level: 2 })).toBeVisible(),
  },
  { name: "settings: audit", url: "/settings/audit", ready: (p) => expect(p.getByRole("heading", { level: 1 })).toBeVisible() },
  {
    name: "settings: audit, filtered",
    url: "/settings/audit?action=auth.sign_in&range=7d",
    ready: (p) => expect(p.getByRole("search", { name: "Filter the audit log" })).toBeVisible(),
  },
  {
    name: "unknown workspace",
    url: "/w/no-such-workspace/batches",
    ready: (p) => expect(p.getByRole("heading", { name: "Workspace not found" })).toBeVisible(),
  },
  { name: "account", url: "/account", ready: (p) => expect(p.getByRole("heading", { level: 1 })).toBeVisible() },
];

for (const scheme of ["light", "dark"] as const) {
  test.describe(`${scheme} mode`, () => {
    test.use({ colorScheme: scheme });

    for (const { name, url, ready } of PAGES) {
      test(`${name} has no serious or critical axe violation`, async ({ page }) => {
        await page.goto(url);
        await ready(page);
        await audit(page, `${name} (${scheme})`);
      });
    }

    test("call detail has no serious or critical axe violation", async ({ page }) => {
      await page.goto("/w/sandbox/batches/demo-failing");
      await page.getByTestId("calls-table").locator("tbody tr").first().getByRole("button").click();
      await expect(page.getByTestId("call-detail")).toBeVisible();
      await audit(page, `call detail (${scheme})`);
    });

    test("the remove-workspace confirmation has no serious or critical axe violation", async ({ page }) => {
      await page.goto("/settings/workspaces");
      await page.getByRole("button", { name: "Remove workspace Sandbox" }).click();
      const dialog = page.getByRole("alertdialog");
      await expect(dialog).toBeVisible();
      await dialog.getByLabel(/Type .* to confirm/).fill("not-the-slug");
      await audit(page, `remove workspace (${scheme})`);
      await dialog.getByRole("button", { name: "Cancel" }).click();
    });

    test("the invite form with its workspace error has no serious or critical axe violation", async ({ page }) => {
      await page.goto("/settings/members");
      await page.getByLabel("Email").fill(`axe-${scheme}-${Date.now().toString(36)}@example.com`);
      await page.getByRole("button", { name: "Create invite link" }).click();
      await expect(page.getByTestId("workspace-error")).toBeVisible();
      await audit(page, `invite error (${scheme})`);
    });

    test.describe("signed out", () => {
      test.use({ storageState: { cookies: [], origins: [] } });
      test("login has no serious or critical axe violation", async ({ page }) => {
        await page.goto("/login");
        await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
        await audit(page, `login (${scheme})`);
      });
      test("login with the disabled-account notice has no serious or critical axe violation", async ({ page }) => {
        await page.goto("/login?reason=disabled");
        await expect(page.getByTestId("sign-in-problem")).toHaveText("Your account has been disabled. Ask an admin.");
        await audit(page, `login, disabled (${scheme})`);
      });
    });
  });
}
