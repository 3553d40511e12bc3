import type { Page } from "@playwright/test";

import { sandbox } from "./fixtures/sandbox";
import { expect, test } from "./fixtures/test";

// Page views answer within their deadline whatever Trillet does. The e2e server runs with a
// page-view deadline of 1.5 s (TRILLET_VIEW_DEADLINE_MS in playwright.config.ts) and a 2 s
// request timeout, so a hang costs the deadline, not the timeout times the retries.
//
// Each fault is injected for every request of demo-large (a finished batch no earlier spec
// opens, so its views go to Trillet while its copy is still far from done) and tried on a view
// read before (the page shows that read, marked stale, with why) and on a view never read (the
// page says what happened); then the fault ends and the open page shows fresh data by itself.
// The same for the failure drilldown (Trillet's failed pages until the copy is ready; a batch
// nobody opened for "never read") and for the batch's JSON route.

const DEADLINE_MS = 1_500;
const SLACK_MS = 2_000;
const BATCH = "demo-large";

const FAULTS = [
  { fault: "timeout", kind: "unavailable" },
  { fault: "429", kind: "rate_limited" },
  { fault: "5xx", kind: "unavailable" },
  { fault: "malformed", kind: "invalid_response" },
  // The sandbox's drift (extra fields, a missing flag) is the kind the contract says to tolerate.
  { fault: "drift", kind: null },
  { fault: "401", kind: "credentials" },
] as const;

const pageUrl = (n: number) => `/w/sandbox/batches/${BATCH}?page=${n}`;
const apiUrl = (n: number) => `/api/w/sandbox/batches/${BATCH}?page=${n}`;

async function timedGoto(page: Page, url: string, until: (page: Page) => Promise<void>) {
  const started = Date.now();
  await page.goto(url, { waitUntil: "commit" });
  await until(page);
  return Date.now() - started;
}

test.describe.configure({ mode: "serial" });

test.afterEach(async () => {
  await sandbox.clearFaults();
});

test("drift Trillet's contract tolerates: pages and the JSON route read it as usual, within the deadline", async ({ page, request }) => {
  await sandbox.setFaults([{ kind: "drift", rate: 1, batchId: BATCH }]);
  const ms = await timedGoto(page, pageUrl(40), async (p) => {
    await expect(p.getByTestId("calls-table")).toBeVisible({ timeout: DEADLINE_MS + SLACK_MS + 5_000 });
  });
  expect(ms).toBeLessThan(DEADLINE_MS + SLACK_MS);
  await expect(page.getByTestId("data-source")).toHaveAttribute("data-source", "upstream");
  await expect(page.getByTestId("stale-note")).toHaveCount(0);
  const json = await request.get(apiUrl(41));
  expect(json.status()).toBe(200);
  expect(((await json.json()) as { stale: unknown }).stale).toBeNull();
});

FAULTS.forEach(({ fault, kind }, i) => {
  if (kind === null) return;
  // A hang is still under way when an older read is shown: "slow", or "unavailable" once it timed out.
  const staleKind = fault === "timeout" ? /^(slow|unavailable)$/ : new RegExp(`^${kind}$`);
  // Distinct pages per fault: "never read" must really be never read.
  const readBefore = 10 + 4 * i;
  const neverRead = readBefore + 1;
  const apiReadBefore = readBefore + 2;
  const apiNeverRead = readBefore + 3;

  test(`${fault}: the batch page answers within the deadline, then recovers by itself`, async ({ page }) => {
    await page.goto(pageUrl(readBefore));
    await expect(page.getByTestId("calls-table")).toBeVisible();
    await expect(page.getByTestId("data-source")).toHaveAttribute("data-source", "upstream");
    const firstJob = await page.getByTestId("calls-table").locator("tbody tr").first().getAttribute("data-job-id");

    await sandbox.setFaults([{ kind: fault, rate: 1, batchId: BATCH }]);
    await page.waitForTimeout(600); // past the finished batch's reuse time (500 ms), so the read is fresh
    // Read before: that read, marked stale with why, as soon as the deadline allows.
    const staleMs = await timedGoto(page, pageUrl(readBefore), async (p) => {
      await expect(p.getByTestId("stale-note")).toBeVisible({ timeout: DEADLINE_MS + SLACK_MS + 5_000 });
    });
    expect(staleMs).toBeLessThan(DEADLINE_MS + SLACK_MS);
    await expect(page.getByTestId("stale-note")).toHaveAttribute("data-kind", staleKind);
    await expect(page.getByTestId("calls-table").locator("tbody tr").first()).toHaveAttribute("data-job-id", firstJob!);
    // Trillet said 429 while Batchboard's own budget had room: another tool uses the same key.
    if (fault === "429") await expect(page.getByTestId("stale-note")).toContainText("Another tool is using this workspace's Trillet key");
    // The fault ends: the open page shows fresh numbers by itself.
    await sandbox.clearFaults();
    await expect(page.getByTestId("stale-note")).toHaveCount(0, { timeout: 15_000 });
    await expect(page.getByTestId("calls-table")).toBeVisible();

    // Never read: what happened, in words, within the deadline; never a skeleton for a minute.
    await sandbox.setFaults([{ kind: fault, rate: 1, batchId: BATCH }]);
    const errorMs = await timedGoto(page, pageUrl(neverRead), async (p) => {
      await expect(p.getByTestId("batch-error")).toBeVisible({ timeout: DEADLINE_MS + SLACK_MS + 5_000 });
    });
    expect(errorMs).toBeLessThan(DEADLINE_MS + SLACK_MS);
    await expect(page.getByTestId("batch-error")).toHaveAttribute("data-kind", kind);
    await expect(page.getByTestId("retry-by-itself")).toBeVisible();
    if (fault === "429") await expect(page.getByTestId("batch-error")).toContainText("Another tool is using this workspace's Trillet key");
    await sandbox.clearFaults();
    await expect(page.getByTestId("calls-table")).toBeVisible({ timeout: 20_000 });
    await expect(page.getByTestId("batch-error")).toHaveCount(0);
  });

  test(`${fault}: the failure drilldown answers within the deadline, then recovers by itself`, async ({ page }) => {
    // Read before: Trillet's own failed calls of demo-large, whose copy is far from done.
    const drillUrl = `/w/sandbox/batches/${BATCH}/failed?page=${50 + i}`;
    await page.goto(drillUrl);
    await expect(page.getByTestId("upstream-failures")).toBeVisible();
    const firstJob = await page.getByTestId("failed-call").first().getAttribute("data-job-id");
    await sandbox.setFaults([{ kind: fault, rate: 1, batchId: BATCH }]);
    await page.waitForTimeout(600);
    const staleMs = await timedGoto(page, drillUrl, async (p) => {
      await expect(p.getByTestId("stale-note")).toBeVisible({ timeout: DEADLINE_MS + SLACK_MS + 5_000 });
    });
    expect(staleMs).toBeLessThan(DEADLINE_MS + SLACK_MS);
    await expect(page.getByTestId("stale-note")).toHaveAttribute("data-kind", staleKind);
    await expect(page.getByTestId("failed-call").first()).toHaveAttribute("data-job-id", firstJob!);

    // Never read: a batch nobody opened, so its first open asks Trillet, which fails.
    const { id } = await sandbox.createBatch(`fault-${fault}`, 150, 0.4);
    await sandbox.setFaults([{ kind: fault, rate: 1, batchId: id }]);
    const errorMs = await timedGoto(page, `/w/sandbox/batches/${id}/failed`, async (p) => {
      await expect(p.getByTestId("batch-error")).toBeVisible({ timeout: DEADLINE_MS + SLACK_MS + 5_000 });
    });
    expect(errorMs).toBeLessThan(DEADLINE_MS + SLACK_MS);
    await expect(page.getByTestId("batch-error")).toHaveAttribute("data-kind", kind);
    await sandbox.clearFaults();
    await expect(page.getByTestId("batch-error")).toHaveCount(0, { timeout: 20_000 });
    await expect(page.getByTestId("upstream-failures").or(page.getByTestId("failed-total"))).toBeVisible();
  });

  test(`${fault}: the JSON route answers within the deadline with stale data or its kind`, async ({ request }) => {
    const first = await request.get(apiUrl(apiReadBefore));
    expect(first.status()).toBe(200);
    const fresh = (await first.json()) as { stale: unknown; readAt: number };
    expect(fresh.stale).toBeNull();

    await sandbox.setFaults([{ kind: fault, rate: 1, batchId: BATCH }]);
    await new Promise((r) => setTimeout(r, 600));
    let started = Date.now();
    const stale = await request.get(apiUrl(apiReadBefore));
    expect(Date.now() - started).toBeLessThan(DEADLINE_MS + SLACK_MS);
    expect(stale.status()).toBe(200);
    const body = (await stale.json()) as { stale: { kind: string } | null; readAt: number };
    expect(body.stale?.kind).toMatch(staleKind);
    expect(body.readAt).toBe(fresh.readAt);

    started = Date.now();
    const failed = await request.get(apiUrl(apiNeverRead));
    expect(Date.now() - started).toBeLessThan(DEADLINE_MS + SLACK_MS);
    expect(failed.status()).toBeGreaterThanOrEqual(400);
    expect(((await failed.json()) as { kind: string }).kind).toBe(kind);
  });
});
