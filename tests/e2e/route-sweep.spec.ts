import type { APIRequestContext } from "@playwright/test";

import { can, scopeOf } from "@/lib/auth/permissions";

import { appRoutes, type AppRoute } from "./fixtures/routes";
import { acceptInvite, inviteFromSettings, removeAllAccess, uniqueEmail } from "./fixtures/team";
import { expect, test } from "./fixtures/test";

// Every page and API route of the app (read from app/), over HTTP, as each kind of person; what
// each must get is read from lib/auth/access-registry.ts and the table in lib/auth/permissions.ts.

const routes = appRoutes();
const guarded = routes.filter((r) => r.access !== "public");
/** The route's refusal for the signed-in, as JSON clients see it (lib/http/route.ts). */
const NO_WORKSPACE = "No such workspace, or no access to it.";
/** Past the access checks, the export is refused for its query: the sweep does not download CSVs. */
const ALLOWED_QUERY: Record<string, string> = { "/api/w/[workspace]/batches/[batchId]/export": "?status=failed&status=all" };

test("the sweep sees the app's routes, each declared in the access registry", () => {
  const patterns = routes.map((r) => r.pattern);
  expect(patterns).toContain("/w/[workspace]/batches/[batchId]");
  expect(patterns).toContain("/api/w/[workspace]/batches/[batchId]");
  expect(patterns).toContain("/settings/members");
  expect(guarded.length).toBeGreaterThan(6);
  expect(routes.filter((r) => r.access === undefined).map((r) => r.pattern)).toEqual([]);
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

type Verdict = "allowed" | "hidden" | "forbidden" | "sign in";

/** What the table says a signed-in person of this role gets, seeing the workspace or not. */
function expected(route: AppRoute, role: "admin" | "member", seesWorkspace: boolean): Verdict {
  const access = route.access;
  if (access === "signed-in") return "allowed";
  if (access === undefined || access === "public") throw new Error(`${route.pattern} is not guarded`);
  if (scopeOf(access) === "workspace" && !seesWorkspace) return "hidden";
  return can({ role }, access) ? "allowed" : "forbidden";
}

async function verdict(request: APIRequestContext, route: AppRoute, allowedQuery: boolean): Promise<{ verdict: Verdict; status: number }> {
  const response = await request.get(`${route.url}${allowedQuery ? (ALLOWED_QUERY[route.pattern] ?? "") : ""}`, { maxRedirects: 0 });
  const status = response.status();
  const location = response.headers()["location"] ?? "";
  if (status === 401 || new URL(location, "http://x").pathname === "/login") return { verdict: "sign in", status };
  if (status === 403) return { verdict: "forbidden", status };
  if (status === 404 && (route.kind === "page" || ((await response.json()) as { error?: string }).error === NO_WORKSPACE)) {
    return { verdict: "hidden", status };
  }
  expect(status, `${route.url} answered ${status}`).toBeLessThan(500);
  return { verdict: "allowed", status };
}

async function sweep(request: APIRequestContext, role: "admin" | "member", seesWorkspace: boolean) {
  const failures: string[] = [];
  for (const route of guarded) {
    const want = expected(route, role, seesWorkspace);
    const got = await verdict(request, route, want === "allowed");
    if (got.verdict !== want) failures.push(`${route.url}: ${got.verdict} (${got.status}), the table says ${want}`);
  }
  return failures;
}

test("a member without access to a workspace: 404 for all of its pages and APIs, the rest as the table says", async ({ page, browser }) => {
  const email = uniqueEmail("outsider");
  const outsider = await acceptInvite(browser, await inviteFromSettings(page, email, ["Sandbox"]));
  await removeAllAccess(page, email);
  expect(await sweep(outsider.request, "member", false)).toEqual([]);
  await outsider.context().close();
});

test("a member with access to the workspace gets what the table gives a member", async ({ page, browser }) => {
  const member = await acceptInvite(browser, await inviteFromSettings(page, uniqueEmail("granted"), ["Sandbox"]));
  expect(await sweep(member.request, "member", true)).toEqual([]);
  await member.context().close();
});

test("an admin gets what the table gives an admin", async ({ page }) => {
  expect(await sweep(page.request, "admin", true)).toEqual([]);
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
    const linked = await page
      .locator('link[rel="icon"], link[rel="apple-touch-icon"], link[rel="manifest"]')
      .evaluateAll((links) => links.map((l) => new URL((l as HTMLLinkElement).href).pathname));
    expect(linked).toEqual(expect.arrayContaining(["/manifest.webmanifest", "/favicon.ico", "/icon.svg", "/apple-touch-icon.png"]));
    for (const path of new Set([...icons.map((i) => i.src), ...linked.filter((p) => p !== "/manifest.webmanifest")])) {
      const response = await request.get(path, { maxRedirects: 0 });
      expect(response.status(), path).toBe(200);
      expect(response.headers()["content-type"], path).toMatch(/image\//);
    }
  });
});
