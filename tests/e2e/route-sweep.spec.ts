import { appRoutes, PUBLIC_PATTERNS } from "./fixtures/routes";
import { acceptInvite, inviteFromSettings, uniqueEmail } from "./fixtures/team";
import { expect, test } from "./fixtures/test";

const routes = appRoutes();
const guarded = routes.filter((r) => !PUBLIC_PATTERNS.includes(r.pattern));

test("the sweep sees the app's routes", () => {
  const patterns = routes.map((r) => r.pattern);
  expect(patterns).toContain("/w/[workspace]/batches/[batchId]");
  expect(patterns).toContain("/api/w/[workspace]/batches/[batchId]");
  expect(patterns).toContain("/settings/members");
  expect(guarded.length).toBeGreaterThan(6);
});

test.describe("signed out", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  for (const route of guarded) {
    test(`${route.kind} ${route.pattern} refuses a signed-out request`, async ({ request }) => {
      const response = await request.get(route.url, { maxRedirects: 0 });
      if (route.kind === "api") {
        expect(response.status()).toBe(401);
      } else {
        expect([302, 303, 307, 308]).toContain(response.status());
        const location = new URL(response.headers()["location"] ?? "", "http://x");
        expect(location.pathname).toBe("/login");
        expect(location.searchParams.get("callbackUrl")).toBe(route.url);
      }
    });
  }
});

test("a member without access to a workspace gets 404 for all of its pages and APIs, 403 for admin pages", async ({
  page,
  browser,
}) => {
  const outsider = await acceptInvite(browser, await inviteFromSettings(page, uniqueEmail("outsider"), []));
  const failures: string[] = [];
  for (const route of guarded) {
    const response = await outsider.request.get(route.url, { maxRedirects: 0 });
    const expected = route.workspaceScoped ? 404 : route.pattern.startsWith("/settings") ? 403 : 200;
    if (response.status() !== expected) failures.push(`${route.url}: ${response.status()} (expected ${expected})`);
  }
  expect(failures).toEqual([]);
  await outsider.context().close();
});

test.describe("static files", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("the favicon every browser asks for is served to anyone, as an icon", async ({ request }) => {
    const response = await request.get("/favicon.ico", { maxRedirects: 0 });
    expect(response.status()).toBe(200);
    expect(response.headers()["content-type"]).toMatch(/icon/);
    const body = await response.body();
    // An ICO file: reserved 0, type 1 (icon), at least one image.
    expect([...body.subarray(0, 4)]).toEqual([0, 0, 1, 0]);
  });

  test("the web manifest and the icons it and the pages name are served to anyone", async ({ request, page }) => {
    const manifest = await request.get("/manifest.webmanifest", { maxRedirects: 0 });
    expect(manifest.status()).toBe(200);
    const { icons } = (await manifest.json()) as { icons: { src: string; type: string }[] };
    await page.goto("/login");
    const linked = await page.locator('link[rel="icon"], link[rel="apple-touch-icon"], link[rel="manifest"]').evaluateAll((links) =>
      links.map((l) => new URL((l as HTMLLinkElement).href).pathname),
    );
    expect(linked).toEqual(expect.arrayContaining(["/manifest.webmanifest", "/favicon.ico", "/icon.svg", "/apple-touch-icon.png"]));
    for (const path of new Set([...icons.map((i) => i.src), ...linked.filter((p) => p !== "/manifest.webmanifest")])) {
      const response = await request.get(path, { maxRedirects: 0 });
      expect(response.status(), path).toBe(200);
      expect(response.headers()["content-type"], path).toMatch(/image\//);
    }
  });
});
