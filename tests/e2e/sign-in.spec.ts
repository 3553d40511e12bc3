import { signIn, USERS } from "./fixtures/auth";
import { expect, test } from "./fixtures/test";

test.use({ storageState: { cookies: [], origins: [] } });

test("a signed-out visit goes to sign-in and comes back to exactly the page asked for", async ({ page }) => {
  const target = "/w/sandbox/batches/demo-finished?status=failed&page=2";
  await page.goto(target);
  await expect(page).toHaveURL(/\/login\?callbackUrl=/);
  expect(new URL(page.url()).searchParams.get("callbackUrl")).toBe(target);
  await signIn(page, USERS.member);
  await expect(page).toHaveURL(target);
  await expect(page.getByTestId("range")).toHaveText(/^21–/);
});

for (const evil of ["//evil.example", "https://evil.example/x", "javascript:alert(1)"]) {
  test(`callbackUrl ${evil} lands on / after sign-in`, async ({ page, baseURL }) => {
    await page.goto(`/login?callbackUrl=${encodeURIComponent(evil)}`);
    await signIn(page, USERS.member);
    await expect(page).toHaveURL(`${baseURL}/`);
    await expect(page.getByRole("heading", { name: "Your Trillet workspaces" })).toBeVisible();
  });
}

test("a wrong password gets one generic message, and the sixth quick try is throttled", async ({ page }) => {
  const victim = { email: "nobody-here@demo.batchboard.dev", password: "not the password" };
  await page.goto("/login");
  for (let i = 1; i <= 5; i++) {
    await signIn(page, victim);
    await expect(page.getByTestId("login-error")).toHaveText("Email or password is incorrect.");
  }
  await signIn(page, victim);
  await expect(page.getByTestId("login-error")).toContainText("Too many sign-in attempts");
});

test("APIs answer a signed-out request with 401 JSON, not a redirect", async ({ request }) => {
  const response = await request.get("/api/w/sandbox/batches/demo-finished", { maxRedirects: 0 });
  expect(response.status()).toBe(401);
  expect(await response.json()).toEqual({ error: "Sign in to continue." });
});

test("every response carries the security headers; pages carry a nonce CSP without unsafe-eval", async ({ request }) => {
  const response = await request.get("/login");
  const headers = response.headers();
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("same-origin");
  const csp = headers["content-security-policy"] ?? "";
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toMatch(/script-src 'self' 'nonce-[^']+'/);
  expect(csp).not.toContain("unsafe-eval");
  const asset = await request.get("/api/health");
  expect(asset.headers()["x-content-type-options"]).toBe("nosniff");
});

test("the session cookie is HttpOnly, SameSite=Lax, and Secure in production though this server is plain http", async ({
  page,
  context,
}) => {
  await page.goto("/login");
  await signIn(page, USERS.member);
  await expect(page).not.toHaveURL(/\/login/);
  const cookie = (await context.cookies()).find((c) => c.name.includes("authjs.session-token"));
  expect(cookie).toMatchObject({ name: "__Secure-authjs.session-token", httpOnly: true, sameSite: "Lax", secure: true });
});
