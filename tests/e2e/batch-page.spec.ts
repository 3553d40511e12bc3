import type { Page } from "@playwright/test";

import { sandbox } from "./fixtures/sandbox";
import { expect, test } from "./fixtures/test";

const batchUrl = (id: string, query = "") => `/w/sandbox/batches/${id}${query}`;

async function cardValue(page: Page, key: string) {
  return Number(await page.getByTestId(`summary-${key}`).locator("[data-value]").getAttribute("data-value"));
}

test.afterEach(async () => {
  await sandbox.clearFaults();
});

test("the demo batch page shows the sandbox's own numbers", async ({ page }) => {
  const { summary, calls } = await sandbox.truth("demo-finished");
  await page.goto(batchUrl("demo-finished"));
  await expect(page.getByRole("heading", { name: /Batch demo-finished/ })).toBeVisible();
  // No label: the tab says which batch by its ID.
  await expect(page).toHaveTitle("Batch demo-finished · Batchboard");
  for (const key of ["total", "waiting", "active", "completed", "failed"] as const) {
    expect(await cardValue(page, key)).toBe(summary[key]);
  }
  await expect(page.getByTestId("tab-count-failed")).toHaveText(String(summary.failed));
  const rows = page.getByTestId("calls-table").locator("tbody tr");
  await expect(rows).toHaveCount(20);
  await expect(rows.first()).toHaveAttribute("data-job-id", calls[0]!.jobId);
  await expect(page.getByTestId("range")).toHaveText("1–20 of 150");
  await expect(page.getByTestId("summary-success-rate")).toContainText(
    `${((summary.completed / (summary.completed + summary.failed)) * 100).toFixed(1)}%`,
  );
});

test("status, page and page size live in the URL and survive a reload", async ({ page }) => {
  const { summary } = await sandbox.truth("demo-failing");
  await page.goto(batchUrl("demo-failing"));
  await page.getByRole("link", { name: /^Failed/ }).click();
  await expect(page).toHaveURL(/status=failed/);
  await page.getByRole("link", { name: "50" }).click();
  await expect(page).toHaveURL(/limit=50/);
  await page.getByRole("link", { name: "Next page" }).click();
  await expect(page).toHaveURL(/status=failed&page=2&limit=50/);
  await expect(page.getByTestId("range")).toHaveText(`51–100 of ${summary.failed}`);
  await page.reload();
  const statuses = page.getByTestId("calls-table").locator("tbody tr [data-status]");
  await expect(statuses).toHaveCount(50);
  expect(new Set(await statuses.evaluateAll((els) => els.map((e) => e.getAttribute("data-status"))))).toEqual(new Set(["failed"]));
  await page.goBack();
  await expect(page).toHaveURL(/limit=50/);
  await expect(page).not.toHaveURL(/page=2/);
});

test("malformed query values fall back to defaults", async ({ page }) => {
  await page.goto(batchUrl("demo-finished", "?status=bogus&page=-4&limit=7"));
  await expect(page.getByTestId("range")).toHaveText("1–20 of 150");
});

test("the live batch's cards add up", async ({ page }) => {
  await page.goto(batchUrl("demo-live"));
  const parts = await Promise.all(["waiting", "active", "completed", "failed"].map((k) => cardValue(page, k)));
  expect(parts.reduce((a, b) => a + b, 0)).toBe(await cardValue(page, "total"));
  expect(await cardValue(page, "total")).toBe(2000);
});

test("an empty batch says so", async ({ page }) => {
  await page.goto(batchUrl("demo-empty"));
  // One clear sentence: no empty cards, charts or copy progress beside it that say other things.
  await expect(page.getByTestId("calls-empty")).toContainText("This batch has no calls.");
  await expect(page.getByTestId("batch-overview").getByText(/not known yet|No calls yet|Copying the batch/)).toHaveCount(0);
  await expect(page.getByTestId("summary-total")).toHaveCount(0);
});

for (const id of ["no-such-batch", "bad%20id%3F"]) {
  test(`an unknown or malformed batch id (${id}) gets the not-found page`, async ({ page }) => {
    await page.goto(batchUrl(id));
    await expect(page.getByRole("heading", { name: "Batch not found in this workspace" })).toBeVisible();
    await expect(page.getByTestId("summary-total")).toHaveCount(0);
  });
}

// The error states use a batch nobody opened: a view never read, with no copy to stand in for it.
// (A view read before, or a copied batch, shows that read or the copy marked stale: faults.spec.ts.)
test.describe("upstream failures show a state a person can act on, never zeros", () => {
  test("credentials rejected", async ({ page }) => {
    await sandbox.setFaults([{ kind: "401", rate: 1 }]);
    const { id } = await sandbox.createBatch("unread-401");
    await page.goto(batchUrl(id));
    await expect(page.getByTestId("batch-error")).toHaveAttribute("data-kind", "credentials");
    await expect(page.getByText("Trillet rejected this workspace's credentials")).toBeVisible();
    await expect(page.getByTestId("summary-total")).toHaveCount(0);
  });

  test("Trillet unreachable, with a retry that works once it is back", async ({ page }) => {
    const { id } = await sandbox.createBatch("unread-5xx");
    await sandbox.setFaults([{ kind: "5xx", rate: 1 }]);
    await page.goto(batchUrl(id));
    await expect(page.getByTestId("batch-error")).toHaveAttribute("data-kind", "unavailable");
    await sandbox.clearFaults();
    await page.getByRole("link", { name: "Try again" }).click();
    await expect(page.getByTestId("summary-total")).toBeVisible();
  });

  test("Trillet rate limit, with when it frees up", async ({ page }) => {
    // Every answer a 429 (each saying "one second"): the client retries a few times, then says so.
    const { id } = await sandbox.createBatch("unread-429");
    await sandbox.setFaults([{ kind: "429", rate: 1 }]);
    await page.goto(batchUrl(id));
    await expect(page.getByTestId("batch-error")).toHaveAttribute("data-kind", "rate_limited");
    await expect(page.getByText("It frees up at")).toBeVisible();
  });
});

test.describe("the batch JSON API", () => {
  test("serves the same single read as the page, for the signed-in user", async ({ request }) => {
    const { summary } = await sandbox.truth("demo-finished");
    const response = await request.get("/api/w/sandbox/batches/demo-finished?status=failed&limit=50");
    expect(response.status()).toBe(200);
    expect(response.headers()["cache-control"]).toContain("no-store");
    const body = await response.json();
    expect(body.summary).toEqual(summary);
    expect(body.view).toMatchObject({ status: "failed", page: 1, limit: 50, q: "", sort: "row" });
    expect(body.calls).toHaveLength(summary.failed);
  });

  test("maps upstream failures to statuses a client can act on", async ({ request }) => {
    const { id } = await sandbox.createBatch("unread-api");
    await sandbox.setFaults([{ kind: "401", rate: 1 }]);
    const rejected = await request.get(`/api/w/sandbox/batches/${id}`);
    expect(rejected.status()).toBe(502);
    expect((await rejected.json()).kind).toBe("credentials");
    await sandbox.clearFaults();
    const unknown = await request.get("/api/w/sandbox/batches/no-such-batch");
    expect(unknown.status()).toBe(404);
    const malformed = await request.get("/api/w/sandbox/batches/bad%20id");
    expect(malformed.status()).toBe(400);
  });
});
