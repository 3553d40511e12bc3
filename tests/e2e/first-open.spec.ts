import { sandbox } from "./fixtures/sandbox";
import { expect, test } from "./fixtures/test";

// Every link works the first time. Each test makes a batch in the sandbox that nobody has opened
// (a new id per run), so the link under test is the first request Batchboard ever gets for it.

const base = (id: string) => `/w/sandbox/batches/${id}`;

test("a drilldown link to a batch nobody opened lists Trillet's failed calls at once, then groups them once copied", async ({ page }) => {
  const { id, summary } = await sandbox.createBatch("first-drilldown", 300, 0.4);
  const failed = (await sandbox.truth(id)).calls.filter((c) => c.status === "failed");
  expect(failed.length).toBe(summary.failed);

  // Slow Trillet a little: the header streams at once, the data part shows its skeleton meanwhile.
  await sandbox.configure({ latencyMs: 1_200 });
  try {
    const response = await page.goto(`${base(id)}/failed`, { waitUntil: "commit" });
    expect(response?.status()).toBe(200);
    await expect(page.getByRole("heading", { level: 1, name: `Failed calls in ${id}` })).toBeVisible();
    await expect(page.getByTestId("drilldown-loading")).toBeVisible();
  } finally {
    await sandbox.configure({ latencyMs: 0 });
  }

  // The real page, not a 404: Trillet's first page of failed calls, labelled as such.
  const upstream = page.getByTestId("upstream-failures");
  await expect(upstream).toBeVisible();
  await expect(page.getByRole("heading", { name: "Batch not found in this workspace" })).toHaveCount(0);
  await expect(upstream).toHaveAttribute("data-total", String(summary.failed));
  await expect(upstream).toContainText(`From Trillet, the first 100 of ${summary.failed} failed calls`);
  await expect(upstream.getByTestId("failed-call")).toHaveCount(100);
  const listed = await upstream.getByTestId("failed-call").evaluateAll((items) => items.map((li) => li.getAttribute("data-job-id")));
  expect(listed).toEqual(failed.slice(0, 100).map((c) => c.jobId));
  const pageReasons = await upstream
    .getByTestId("page-reason")
    .evaluateAll((items) => items.map((li) => Number(li.getAttribute("data-count"))));
  expect(pageReasons.reduce((a, b) => a + b, 0)).toBe(100);

  // Trillet's next page of failed calls.
  await upstream.getByRole("link", { name: "Next page" }).click();
  await expect(page).toHaveURL(/\/failed\?page=2$/);
  await expect(page.getByTestId("upstream-failures").or(page.getByTestId("reasons-table"))).toBeVisible();

  // The copy started with that first open; the page refreshes itself into the grouped view.
  await page.goto(`${base(id)}/failed`);
  await expect(page.getByTestId("reasons-table")).toBeVisible({ timeout: 45_000 });
  const counts = await page.getByTestId("reason-row").evaluateAll((rows) => rows.map((r) => Number(r.getAttribute("data-count"))));
  expect(counts.reduce((a, b) => a + b, 0)).toBe(summary.failed);
  await expect(page.getByTestId("copy-moment")).toHaveAttribute("data-frozen", "true");
  await expect(page.getByTestId("copy-moment")).toContainText(/copied from Trillet (just now|\d+ s ago|\d+ min ago) at/);
});

test("a call-detail link to a batch nobody opened shows the call", async ({ page, request }) => {
  // The shared link: the batch page with ?call= for a call far from its first page.
  const { id } = await sandbox.createBatch("first-call", 240, 0.3);
  const { calls } = await sandbox.truth(id);
  const target = calls.filter((c) => c.status === "completed").at(-1)!;
  await page.goto(`${base(id)}?call=${target.jobId}`);
  await expect(page.getByTestId("summary-total")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Batch not found in this workspace" })).toHaveCount(0);
  // Until the copy holds the call the sheet says it is copying, and opens it by itself after.
  const detail = page.getByTestId("call-detail");
  await expect(detail).toBeVisible({ timeout: 45_000 });
  await expect(detail).toHaveAttribute("data-job-id", target.jobId);
  await expect(detail.getByTestId("metadata-table")).toBeVisible();

  // The call-detail API as the very first request for another new batch: answered from the one
  // check it makes with Trillet (its first page of failed calls holds this call).
  const other = await sandbox.createBatch("first-call-api", 120, 0.5);
  const failedCall = (await sandbox.truth(other.id)).calls.find((c) => c.status === "failed")!;
  const response = await request.get(`/api${base(other.id)}/calls/${failedCall.jobId}`);
  expect(response.status()).toBe(200);
  expect((await response.json()).call).toMatchObject({ jobId: failedCall.jobId, status: "failed", error: failedCall.error });
});

test("a batch link to a batch nobody opened shows the batch", async ({ page }) => {
  const { id, summary } = await sandbox.createBatch("first-batch", 180, 0.2);
  await page.goto(base(id));
  await expect(page.getByTestId("summary-total").locator("[data-value]")).toHaveAttribute("data-value", String(summary.total));
  await expect(page.getByRole("heading", { name: "Batch not found in this workspace" })).toHaveCount(0);
});

test("a first open says 'not found' only when Trillet does: an outage is an outage", async ({ page }) => {
  await page.goto(`${base("never-made-by-anyone")}/failed`);
  await expect(page.getByRole("heading", { name: "Batch not found in this workspace" })).toBeVisible();

  const { id, summary } = await sandbox.createBatch("first-outage", 60, 0.5);
  await sandbox.setFaults([{ kind: "5xx", rate: 1, batchId: id }]);
  try {
    await page.goto(`${base(id)}/failed`);
    await expect(page.getByTestId("batch-error")).toHaveAttribute("data-kind", "unavailable");
    await expect(page.getByRole("heading", { name: "Batch not found in this workspace" })).toHaveCount(0);
  } finally {
    await sandbox.clearFaults();
  }
  // Once Trillet answers, the same link works: the batch is tracked and its copy started.
  await page.getByRole("link", { name: "Try again" }).click();
  const upstream = page.getByTestId("upstream-failures");
  const copied = page.getByTestId("failed-total");
  await expect(upstream.or(copied)).toBeVisible();
  if (await upstream.isVisible()) await expect(upstream).toHaveAttribute("data-total", String(summary.failed));
  else await expect(copied).toHaveAttribute("data-value", String(summary.failed));
});

test("a finished batch opened for the first time shows its charts by themselves once it is copied", async ({ page }) => {
  // 60 pages: the copy takes some seconds, so the page first says the charts are on their way.
  const { id } = await sandbox.createBatch("first-charts", 6_000, 0.3);
  await page.goto(base(id));
  const charts = page.getByTestId("batch-charts");
  await expect(charts.getByText(/Available once the batch is copied/).first()).toBeVisible();
  // A finished batch's page stops refreshing its numbers; the charts still arrive, with no reload.
  await expect(charts.getByText(/Available once the batch is copied/)).toHaveCount(0, { timeout: 60_000 });
  await expect(charts.getByText("Call duration: data as a table")).toBeVisible();
  await expect(charts.getByText("Calls over time: data as a table")).toBeVisible();
});
