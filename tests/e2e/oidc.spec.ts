import type { BrowserContext, Page } from "@playwright/test";

import { signInFromLogin, USERS } from "./fixtures/auth";
import { E2E } from "./fixtures/settings";
import { expect, test } from "./fixtures/test";

// OIDC sign-in end to end in Chromium, against the real OpenID provider the harness starts
// (oidc-provider, tests/support/oidc-provider.ts). Each test sets the claims its subjects get.

test.use({ storageState: { cookies: [], origins: [] } });

const APP = new URL(E2E.appUrl).origin;
const PROVIDER = new URL(E2E.oidcUrl).origin;
const SSO = `Continue with ${E2E.oidcName}`;

/** Sets what the provider says about `sub` from now on (its next sign-in or token). */
async function providerAccount(sub: string, claims: Record<string, unknown>) {
  const response = await fetch(`${E2E.oidcUrl}/__test/accounts/${sub}`, { method: "PUT", body: JSON.stringify(claims) });
  expect(response.status).toBe(204);
}

/** On the provider's pages: signs in as `sub` (when it asks) and consents (when it asks), until back at the app. */
async function completeAtProvider(page: Page, sub: string) {
  const login = page.locator('input[name="login"]');
  const consent = page.getByRole("button", { name: "Continue", exact: true });
  await page.waitForURL((url) => url.origin === PROVIDER);
  for (let step = 0; step < 4; step++) {
    await page.waitForURL((url) => url.origin === APP || url.pathname.startsWith("/interaction/"));
    if (new URL(page.url()).origin === APP) return;
    await expect(login.or(consent)).toBeVisible();
    const at = page.url();
    if (await login.isVisible()) {
      await login.fill(sub);
      await page.locator('input[name="password"]').fill("any password: the provider's development login");
      await page.getByRole("button", { name: "Sign-in" }).click();
    } else {
      await consent.click();
    }
    await page.waitForURL((url) => url.href !== at);
  }
  throw new Error("the provider did not send the browser back to the app");
}

/**
 * Signs this browser out, here and at the provider. The page is left first: a request it still has
 * in flight (a link prefetch) would otherwise bring a renewed session cookie back after the clear.
 */
async function signOutEverywhere(page: Page, context: BrowserContext) {
  await page.goto("about:blank");
  await context.clearCookies();
}

async function signInWithOidc(page: Page, sub: string) {
  await page.goto("/login");
  await page.getByRole("button", { name: SSO }).click();
  await completeAtProvider(page, sub);
}

type SessionJson = { user: { id: string; email: string; role: string }; expires: string } | null;

async function session(page: Page): Promise<SessionJson> {
  const response = await page.request.get("/api/auth/session");
  expect(response.ok()).toBe(true);
  return (await response.json()) as SessionJson;
}

test("a verified new user of an allowed domain signs in and joins as a member", async ({ page }) => {
  const email = `newcomer@${E2E.oidcDomain}`;
  await providerAccount("sub-newcomer", { email, email_verified: true, name: "New Comer" });
  await signInWithOidc(page, "sub-newcomer");
  await expect(page).toHaveURL(`${E2E.appUrl}/`);
  expect(await session(page)).toMatchObject({ user: { email, role: "member" } });
  await page.goto("/account");
  await expect(page.getByText(`${email} · member`)).toBeVisible();
  await expect(page.getByText(`Linked (${email} at ${E2E.oidcName})`)).toBeVisible();
});

for (const [label, sub, claims] of [
  ["an unverified email (false)", "sub-unverified-false", { email_verified: false }],
  ['an unverified email ("false")', "sub-unverified-string", { email_verified: "false" }],
  ["an email without the email_verified claim", "sub-unverified-missing", {}],
] as const) {
  test(`${label} is refused with a message, even in an allowed domain`, async ({ page }) => {
    const email = `${sub}@${E2E.oidcDomain}`;
    await providerAccount(sub, { email, ...claims });
    await signInWithOidc(page, sub);
    await expect(page).toHaveURL(/\/login\?error=oidc_unverified/);
    await expect(page.getByTestId("sign-in-problem")).toContainText("has not verified your email address");
    expect(await session(page)).toBeNull();
  });
}

test("an OIDC identity carrying an existing password account's email is not signed in as that account", async ({ page }) => {
  await providerAccount("sub-impostor", { email: USERS.admin.email, email_verified: true, name: "Not the admin" });
  await signInWithOidc(page, "sub-impostor");
  await expect(page).toHaveURL(/\/login\?error=oidc_link_required/);
  await expect(page.getByTestId("sign-in-problem")).toContainText(
    "Sign in with your password, then link this sign-in from your Account page",
  );
  expect(await session(page)).toBeNull();
  await page.goto("/settings/members");
  await expect(page).toHaveURL(/\/login\?callbackUrl=/);
});

test("a returning user is matched by issuer and subject after changing their email at the provider", async ({ page, context }) => {
  const first = `returning@${E2E.oidcDomain}`;
  await providerAccount("sub-returning", { email: first, email_verified: true, name: "Returning" });
  await signInWithOidc(page, "sub-returning");
  const before = await session(page);
  expect(before).toMatchObject({ user: { email: first, role: "member" } });

  await signOutEverywhere(page, context);
  await providerAccount("sub-returning", { email: "returning-moved@elsewhere.example", email_verified: true, name: "Returning" });
  await signInWithOidc(page, "sub-returning");
  await expect(page).toHaveURL(`${E2E.appUrl}/`);
  expect(await session(page)).toMatchObject({ user: { id: before!.user.id, email: first } });

  // Someone else at the provider now holding the old email is not that user.
  await signOutEverywhere(page, context);
  await providerAccount("sub-took-the-email", { email: first, email_verified: true });
  await signInWithOidc(page, "sub-took-the-email");
  await expect(page).toHaveURL(/\/login\?error=oidc_link_required/);
  expect(await session(page)).toBeNull();
});

test("a password user links an OIDC sign-in from the account page, then signs in with it", async ({ page, context }) => {
  await providerAccount("sub-member", { email: "member-at-idp@elsewhere.example", email_verified: true, name: "Member" });
  await signInFromLogin(page, USERS.member, "/account");
  const member = await session(page);
  await page.getByRole("button", { name: `Link ${E2E.oidcName} sign-in` }).click();
  await completeAtProvider(page, "sub-member");
  await expect(page).toHaveURL(/\/account\?oidc=linked/);
  await expect(page.getByTestId("oidc-link-outcome")).toHaveText(`${E2E.oidcName} sign-in is linked: you can now sign in with it.`);
  await expect(page.getByText(`Linked (member-at-idp@elsewhere.example at ${E2E.oidcName})`)).toBeVisible();

  await signOutEverywhere(page, context);
  await signInWithOidc(page, "sub-member");
  await expect(page).toHaveURL(`${E2E.appUrl}/`);
  expect(await session(page)).toMatchObject({ user: { id: member!.user.id, email: USERS.member.email, role: "member" } });
});

test("/api/auth/session carries the user, never the session's database id", async ({ page }) => {
  await signInFromLogin(page, USERS.member);
  const response = await page.request.get("/api/auth/session");
  const body = await response.text();
  const json = JSON.parse(body) as Record<string, unknown>;
  expect(Object.keys(json).sort()).toEqual(["expires", "user"]);
  expect(Object.keys(json.user as object).sort()).toEqual(["disabled", "email", "id", "name", "role"]);
  expect(body).not.toContain("sid");
  // Session ids are 32 random bytes in base64url (43 characters); nothing that long is in the JSON.
  expect(body).not.toMatch(/[A-Za-z0-9_-]{43}/);
});

test("the confirmation page takes the password before an admin change, and returns to the same origin only", async ({ page }) => {
  await signInFromLogin(page, USERS.admin);
  await page.goto(`/account/confirm?next=${encodeURIComponent("/settings/members")}`);
  await expect(page.getByRole("heading", { name: "Confirm it is you" })).toBeVisible();
  await page.getByLabel("Password").fill("not the admin password");
  await page.getByRole("button", { name: "Confirm" }).click();
  await expect(page.getByTestId("confirm-error")).toHaveText("That password is not correct.");
  await page.getByLabel("Password").fill(USERS.admin.password);
  await page.getByRole("button", { name: "Confirm" }).click();
  await expect(page).toHaveURL(`${E2E.appUrl}/settings/members`);

  await page.goto(`/account/confirm?next=${encodeURIComponent("//evil.example/x")}`);
  await page.getByLabel("Password").fill(USERS.admin.password);
  await page.getByRole("button", { name: "Confirm" }).click();
  await expect(page).toHaveURL(`${E2E.appUrl}/`);
});
