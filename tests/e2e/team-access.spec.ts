import { USERS } from "./fixtures/auth";
import { acceptInvite, inviteFromSettings, uniqueEmail } from "./fixtures/team";
import { expect, test } from "./fixtures/test";

test("an invite link sets a password, signs the new member in, and works only once", async ({ page, browser }) => {
  const email = uniqueEmail("invited");
  const link = await inviteFromSettings(page, email, ["Sandbox"]);
  const member = await acceptInvite(browser, link);
  await expect(member.getByText("Sandbox", { exact: true })).toBeVisible();
  await member.goto("/w/sandbox/batches/demo-finished");
  await expect(member.getByTestId("summary-total")).toBeVisible();
  await member.goto(new URL(link).pathname);
  await expect(member.getByRole("heading", { name: "This invite link does not work" })).toBeVisible();
  await member.context().close();

  await page.goto("/settings/audit");
  await expect(page.getByRole("row").filter({ hasText: "Accepted invite" }).filter({ hasText: email })).toHaveCount(1);
});

test("a member invite needs a workspace, said at the list; a pending invite lists its workspaces", async ({ page }) => {
  const email = uniqueEmail("noworkspace");
  await page.goto("/settings/members");
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Create invite link" }).click();
  const error = page.getByTestId("workspace-error");
  await expect(error).toHaveText("Choose at least one workspace the member can open.");
  const box = page.getByRole("checkbox", { name: /Sandbox/ });
  await expect(box).toBeFocused();
  await expect(page.getByRole("group", { name: /Workspaces they can open/ })).toHaveAccessibleDescription(/at least one workspace/);
  // The email typed is kept.
  await expect(page.getByLabel("Email")).toHaveValue(email);

  await box.check();
  await page.getByRole("button", { name: "Create invite link" }).click();
  await page.getByRole("button", { name: "Done" }).click();
  await expect(page.getByTestId("pending-invites").getByRole("row").filter({ hasText: email })).toContainText("Sandbox");
});

test("the invite form keeps the name on a password mismatch and shows the error at the field", async ({ page, browser }) => {
  const link = await inviteFromSettings(page, uniqueEmail("mismatch"), ["Sandbox"]);
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const invitee = await context.newPage();
  await invitee.goto(new URL(link).pathname);
  await invitee.getByLabel("Your name").fill("Kept Name");
  await invitee.getByLabel("Password", { exact: true }).fill("a long enough passphrase");
  await invitee.getByLabel("Confirm password").fill("a different passphrase");
  await invitee.getByRole("button", { name: "Set password and sign in" }).click();
  const confirm = invitee.getByLabel("Confirm password");
  await expect(confirm).toHaveAttribute("aria-invalid", "true");
  await expect(confirm).toHaveAccessibleDescription("The passwords do not match.");
  await expect(confirm).toBeFocused();
  await expect(invitee.getByLabel("Your name")).toHaveValue("Kept Name");
  await context.close();
});

test("a disabled member's open session is refused on their next request", async ({ page, browser }) => {
  const email = uniqueEmail("disabled");
  const member = await acceptInvite(browser, await inviteFromSettings(page, email, ["Sandbox"]));
  await member.goto("/w/sandbox/batches/demo-finished");
  await expect(member.getByTestId("summary-total")).toBeVisible();

  await page.goto("/settings/members");
  await page.getByRole("button", { name: `Disable ${email}` }).click();
  // A destructive confirmation: an alert dialog.
  await page.getByRole("alertdialog").getByRole("button", { name: "Disable", exact: true }).click();
  await expect(page.getByRole("alertdialog")).toHaveCount(0);

  await member.reload();
  await expect(member).toHaveURL(/\/login\?callbackUrl=.*&reason=disabled/);
  await expect(member.getByTestId("sign-in-problem")).toHaveText("Your account has been disabled. Ask an admin.");
  const api = await member.request.get("/api/w/sandbox/batches/demo-finished", { maxRedirects: 0 });
  expect(api.status()).toBe(401);
  await member.context().close();
});

test("an unknown workspace, or one a member may not see, says Workspace not found with a 404", async ({ page, browser }) => {
  const unknown = await page.goto("/w/no-such-workspace/batches/demo-finished");
  expect(unknown?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Workspace not found" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Batch not found in this workspace" })).toHaveCount(0);

  // A member with access to no workspace but Sandbox: another workspace's address reads the same.
  await page.goto("/settings/workspaces");
  const slug = `hidden-${Date.now().toString(36)}`;
  await page.getByRole("button", { name: "Add workspace" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Name").fill("Hidden");
  await dialog.getByLabel("Slug").fill(slug);
  await dialog.getByLabel("Trillet workspace ID").fill("ws_hidden");
  await dialog.getByLabel("API key").fill("sk_hidden_000000000000");
  await dialog.getByRole("button", { name: "Add workspace" }).click();
  await expect(page.getByRole("row").filter({ hasText: slug })).toBeVisible();

  const member = await acceptInvite(browser, await inviteFromSettings(page, uniqueEmail("nosee"), ["Sandbox"]));
  const hidden = await member.goto(`/w/${slug}/batches`);
  expect(hidden?.status()).toBe(404);
  await expect(member.getByRole("heading", { name: "Workspace not found" })).toBeVisible();
  await expect(member.getByText("or you do not have access to it: ask an admin")).toBeVisible();
  await member.context().close();

  // Removing it: a destructive alertdialog that asks for the slug.
  await page.goto("/settings/workspaces");
  await page.getByRole("button", { name: "Remove workspace Hidden" }).click();
  const confirm = page.getByRole("alertdialog");
  await expect(confirm.getByRole("button", { name: "Remove workspace" })).toBeDisabled();
  await confirm.getByLabel(/Type .* to confirm/).fill(slug);
  await confirm.getByRole("button", { name: "Remove workspace" }).click();
  await expect(page.getByRole("alertdialog")).toHaveCount(0);
  await expect(page.getByRole("row").filter({ hasText: slug })).toHaveCount(0);
  await page.goto(`/settings/audit?action=workspace.removed`);
  await expect(page.getByRole("row").filter({ hasText: "Removed workspace" }).filter({ hasText: slug })).toHaveCount(1);
});

test("the audit log filters by action, person and time, in the URL", async ({ page }) => {
  // A laptop screen: the last column (From) is on screen, not cut off behind a scroll.
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto("/settings/audit");
  const from = await page.getByRole("columnheader", { name: "From" }).boundingBox();
  expect(from!.x + from!.width).toBeLessThanOrEqual(1366);
  await page.getByLabel("Action").selectOption({ label: "Signed in" });
  await page.getByLabel("Person").fill(USERS.admin.email);
  await page.getByLabel("Time").selectOption({ label: "Last 7 days" });
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/action=auth\.sign_in&who=.*&range=7d/);
  const rows = page.getByTestId("audit-row");
  await expect(rows.first()).toBeVisible();
  for (const text of await rows.allInnerTexts()) expect(text).toContain("Signed in");
  await page.getByRole("link", { name: "Clear filters" }).click();
  await expect(page).toHaveURL(/\/settings\/audit$/);
});

test("sign out everywhere ends the other sessions too", async ({ browser }) => {
  const contexts = await Promise.all([1, 2].map(() => browser.newContext({ storageState: { cookies: [], origins: [] } })));
  const [a, b] = await Promise.all(contexts.map((c) => c.newPage()));
  for (const p of [a!, b!]) {
    await p.goto("/login");
    await p.getByLabel("Email").fill(USERS.member.email);
    await p.getByLabel("Password").fill(USERS.member.password);
    await p.getByRole("button", { name: "Sign in" }).click();
    await expect(p.getByRole("heading", { name: "Your Trillet workspaces" })).toBeVisible();
  }
  await a!.goto("/account");
  await a!.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(a!).toHaveURL(/\/login/);
  await b!.reload();
  await expect(b!).toHaveURL(/\/login/);
  await Promise.all(contexts.map((c) => c.close()));
});
