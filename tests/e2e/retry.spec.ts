import type { Page } from "@playwright/test";

import { signInFromLogin, USERS } from "./fixtures/auth";
import { sandbox } from "./fixtures/sandbox";
import { expect, test } from "./fixtures/test";

// Closing the loop: retry one reason's failed calls as a linked batch from the drilldown, see the
// lineage and the funnel, cancel a batch, and keep both away from members without the permission.

const base = (id: string) => `/w/sandbox/batches/${id}`;
type ListedCall = { jobId: string; status: string; error?: string; phone_number: string; metadata: Record<string, string> };

const fold = (error: string | undefined) =>
  (error ?? "")
    .normalize("NFKC")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/[\s.,;:!?…。]+$/u, "")
    .toLowerCase();

/** Opens the drilldown of a new finished batch once it is copied, and picks its first reason. */
async function reasonOfNewBatch(page: Page, tag: string) {
  const { id } = await sandbox.createBatch(tag, 160, 0.5);
  await page.goto(`${base(id)}/failed`);
  await expect(page.getByTestId("upstream-failures").or(page.getByTestId("reasons-table"))).toBeVisible();
  await expect(async () => {
    await page.goto(`${base(id)}/failed`);
    await expect(page.getByTestId("reasons-table")).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 45_000 });
  const row = page.getByTestId("reason-row").first();
  await row.getByRole("link").first().click();
  const calls = page.getByTestId("reason-calls");
  await expect(calls).toBeVisible();
  const key = (await calls.getAttribute("data-reason-key")) ?? "";
  return { id, key, calls };
}

/** A start time the dialog accepts (within 90 days), in UTC: 30 days from now at 09:30. */
const later = (() => {
  const day = new Date(Date.now() + 30 * 86_400_000);
  const at = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 9, 30);
  return { at, local: new Date(at).toISOString().slice(0, 16) };
})();

async function fillAndConfirm(page: Page, agent: string, options: { later?: boolean } = {}) {
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByTestId("retry-confirm")).toBeEnabled({ timeout: 15_000 });
  await dialog.getByLabel("Agent").fill(agent);
  if (options.later) {
    await dialog.getByLabel("At a time").check();
    await dialog.getByLabel("Date and time").fill(later.local);
    await dialog.getByLabel("Time zone").selectOption("UTC");
  }
  return dialog;
}

test("retrying one reason creates one linked batch with the calls exactly as Trillet listed them", async ({ page }) => {
  const { id, key, calls } = await reasonOfNewBatch(page, "retry-reason");
  const truth = (await sandbox.truth(id)).calls as unknown as ListedCall[];
  const expected = truth.filter((c) => c.status === "failed" && fold(c.error) === key);
  expect(expected.length).toBeGreaterThan(0);
  const before = (await sandbox.created()).batches.length;

  await calls.getByTestId("retry-open").click();
  const dialog = await fillAndConfirm(page, "agent_e2e");
  await expect(dialog).toContainText(`${expected.length} ${expected.length === 1 ? "call" : "calls"} will be made again`);
  // A double click is one request's worth: the second finds the first by its key.
  await dialog.getByTestId("retry-confirm").dblclick();
  await expect(dialog.getByTestId("retry-created")).toBeVisible({ timeout: 15_000 });

  let created = (await sandbox.created()).batches.slice(before);
  expect(created).toHaveLength(1);
  const [batch] = created;
  expect(batch!.agentId).toBe("agent_e2e");
  expect(batch!.rows.map((r) => r.phone)).toEqual(expected.map((c) => c.phone_number));
  batch!.rows.forEach((row, i) => {
    const listed = expected[i]!.metadata;
    expect(Object.keys(row.metadata).sort()).toEqual(expect.arrayContaining(Object.keys(listed).sort()));
    for (const [name, value] of Object.entries(row.metadata)) expect(value, name).toBe(listed[name] ?? "");
  });

  // Reloading and confirming the same dialog again still makes one batch.
  await page.reload();
  await page.getByTestId("reason-calls").getByTestId("retry-open").click();
  const again = await fillAndConfirm(page, "agent_e2e");
  await again.getByTestId("retry-confirm").click();
  await expect(again.getByTestId("retry-created")).toBeVisible({ timeout: 15_000 });
  created = (await sandbox.created()).batches.slice(before);
  expect(created).toHaveLength(1);

  // The new batch shows where it comes from; the parent shows the funnel.
  await again.getByRole("link", { name: "Open the new batch" }).click();
  await expect(page).toHaveURL(new RegExp(`${base(batch!.batchId)}$`));
  await expect(page.getByTestId("lineage-summary")).toContainText("Attempt 2 of 2");
  await expect(page.getByTestId("lineage-summary").getByRole("link")).toHaveAttribute("href", base(id));
  await page.goto(base(id));
  const funnel = page.getByTestId("attempts-funnel");
  await expect(funnel.locator("tbody tr")).toHaveCount(2);
  await expect(funnel.locator('tr[data-attempt="2"]')).toContainText(String(expected.length));
});

test("a start whose answer never came is shown and audited as 'outcome unknown', and is not sent again", async ({ page }) => {
  const { id, calls } = await reasonOfNewBatch(page, "retry-unknown");
  const before = (await sandbox.created()).batches.length;
  // The sandbox creates the batch, then never answers: the case a client cannot know the outcome of.
  await sandbox.setFaults([{ kind: "timeout", method: "POST", count: 1 }]);
  try {
    await calls.getByTestId("retry-open").click();
    const dialog = await fillAndConfirm(page, "agent_unknown");
    await dialog.getByTestId("retry-confirm").click();
    await expect(dialog.getByTestId("retry-unknown")).toBeVisible({ timeout: 20_000 });
    await expect(dialog.getByTestId("retry-unknown")).toContainText("Check Trillet");
    // Confirming the same dialog again (after a reload) returns the same outcome, with no second POST.
    await page.reload();
    await page.getByTestId("reason-calls").getByTestId("retry-open").click();
    const again = await fillAndConfirm(page, "agent_unknown");
    await again.getByTestId("retry-confirm").click();
    await expect(again.getByTestId("retry-unknown")).toBeVisible({ timeout: 20_000 });
  } finally {
    await sandbox.clearFaults();
  }
  expect((await sandbox.created()).batches.slice(before)).toHaveLength(1);
  await page.goto("/settings/audit");
  await expect(page.getByRole("row").filter({ hasText: "batch.start_unknown" }).filter({ hasText: id })).toHaveCount(1);
});

test("cancelling a batch stops its waiting calls; the page and the audit say so", async ({ page }) => {
  const { calls } = await reasonOfNewBatch(page, "retry-cancel");
  const before = (await sandbox.created()).batches.length;
  await calls.getByTestId("retry-open").click();
  const dialog = await fillAndConfirm(page, "agent_later", { later: true });
  await dialog.getByTestId("retry-confirm").click();
  await expect(dialog.getByTestId("retry-created")).toBeVisible({ timeout: 15_000 });
  const [child] = (await sandbox.created()).batches.slice(before);
  expect(child!.scheduledAt).toBe(later.at);

  await dialog.getByRole("link", { name: "Open the new batch" }).click();
  await page.getByTestId("cancel-open").click();
  const confirm = page.getByRole("alertdialog");
  await expect(confirm.getByTestId("cancel-waiting")).toContainText(
    `${child!.rows.length} ${child!.rows.length === 1 ? "call is" : "calls are"} still waiting`,
  );
  await confirm.getByTestId("cancel-confirm").click();
  await expect(page.getByTestId("batch-cancelled")).toBeVisible();
  await expect(page.getByTestId("cancel-open")).toHaveCount(0);
  const after = await sandbox.truth(child!.batchId);
  expect(after.summary.waiting).toBe(child!.rows.length);

  await page.goto("/settings/audit");
  await expect(page.getByRole("row").filter({ hasText: "batch.cancelled" }).filter({ hasText: child!.batchId })).toHaveCount(1);
});

test("a member without the permission sees no retry or cancel, and the actions answer 403", async ({ page, browser }) => {
  const { id, calls } = await reasonOfNewBatch(page, "retry-member");
  // The admin's own requests carry the actions' ids: replayed with a member's session.
  const previewRequest = page.waitForRequest((r) => r.method() === "POST" && Boolean(r.headers()["next-action"]));
  await calls.getByTestId("retry-open").click();
  const preview = await previewRequest;
  await expect(page.getByRole("dialog").getByTestId("retry-confirm")).toBeEnabled({ timeout: 15_000 });

  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const member = await context.newPage();
  await signInFromLogin(member, USERS.member, `${base(id)}/failed`);
  await expect(member.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(member.getByTestId("retry-open")).toHaveCount(0);
  await member.goto(base(id));
  await expect(member.getByTestId("summary-total")).toBeVisible();
  await expect(member.getByTestId("retry-open")).toHaveCount(0);
  await expect(member.getByTestId("cancel-open")).toHaveCount(0);

  const replay = await member.request.post(preview.url(), {
    headers: {
      "next-action": preview.headers()["next-action"]!,
      "content-type": preview.headers()["content-type"] ?? "text/plain;charset=UTF-8",
    },
    data: preview.postData() ?? "",
    maxRedirects: 0,
  });
  expect(replay.status()).toBe(403);
  await context.close();
});
