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
  await expect(page.getByRole("row").filter({ hasText: "invite.accepted" }).filter({ hasText: email })).toHaveCount(1);
});

test("a disabled member's open session is refused on their next request", async ({ page, browser }) => {
  const email = uniqueEmail("disabled");
  const member = await acceptInvite(browser, await inviteFromSettings(page, email, ["Sandbox"]));
  await member.goto("/w/sandbox/batches/demo-finished");
  await expect(member.getByTestId("summary-total")).toBeVisible();

  await page.goto("/settings/members");
  await page.getByRole("button", { name: `Disable ${email}` }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Disable", exact: true }).click();
  await expect(page.getByRole("dialog")).toHaveCount(0);

  await member.reload();
  await expect(member).toHaveURL(/\/login\?callbackUrl=/);
  const api = await member.request.get("/api/w/sandbox/batches/demo-finished", { maxRedirects: 0 });
  expect(api.status()).toBe(401);
  await member.context().close();
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
