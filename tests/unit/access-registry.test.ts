import { describe, expect, it, vi } from "vitest";

import { ACTIONS, PAGES, ROUTES } from "@/lib/auth/access-registry";
import { declaredAccess } from "@/lib/auth/declared-access";
import { PERMISSIONS, scopeOf, type Permission } from "@/lib/auth/permissions";

import { actionEntries, inlineServerActions, loadModule, pagePatterns, routeEntries } from "../support/app-entries";

// Auth.js does not load under Vitest; nothing here signs anyone in.
vi.mock("@/lib/auth/config", () => ({ auth: async () => null, signIn: async () => {}, signOut: async () => {} }));

// Every way into the app is listed in lib/auth/access-registry.ts with what it needs, and every
// route handler and server action that needs a permission is built by withRoute/withAction with
// that same one. A new route, action or page without a line in the registry fails here.

const isPermission = (value: string): value is Permission => value in PERMISSIONS;

describe("the access registry", () => {
  it("lists every route handler method of app/**/route.ts, and nothing else", () => {
    expect(routeEntries().map((r) => r.key)).toEqual(Object.keys(ROUTES).sort());
  });

  it('lists every export of every "use server" module, and nothing else', () => {
    expect(actionEntries().map((a) => a.key)).toEqual(Object.keys(ACTIONS).sort());
    expect(inlineServerActions(), 'declare server actions in their own "use server" module').toEqual([]);
  });

  it("lists every page, and nothing else", () => {
    expect(pagePatterns()).toEqual(Object.keys(PAGES).sort());
  });

  it("names only permissions of the table; a route or action names one unless it is public", () => {
    for (const [key, access] of Object.entries(PAGES))
      expect(access === "public" || access === "signed-in" || isPermission(access), key).toBe(true);
    for (const [key, access] of [...Object.entries(ROUTES), ...Object.entries(ACTIONS).map(([k, a]) => [k, a.needs] as const)]) {
      expect(access === "public" || isPermission(access), `${key}: ${access}`).toBe(true);
    }
  });

  it("puts workspace permissions on workspace paths only, so the workspace is always checked first", () => {
    for (const [key, access] of [...Object.entries(ROUTES), ...Object.entries(PAGES)]) {
      if (!isPermission(access)) continue;
      expect(key.includes("[workspace]"), `${key} needs ${access}`).toBe(scopeOf(access) === "workspace");
    }
  });
});

describe("the wrappers declare what the registry says", () => {
  for (const route of routeEntries().filter((r) => ROUTES[r.key] !== "public")) {
    it(`${route.key} is withRoute({ permission: "${ROUTES[route.key]}" })`, async () => {
      const handler = (await loadModule(route.file))[route.method];
      expect(declaredAccess(handler)).toEqual({ kind: "route", permission: ROUTES[route.key], fresh: false });
    });
  }

  for (const action of actionEntries().filter((a) => ACTIONS[a.key]?.needs !== "public")) {
    const expected = ACTIONS[action.key]!;
    it(`${action.key} is withAction({ permission: "${expected.needs}"${expected.fresh ? ", fresh" : ""} })`, async () => {
      const fn = (await loadModule(action.file))[action.name];
      expect(declaredAccess(fn)).toEqual({ kind: "action", permission: expected.needs, fresh: Boolean(expected.fresh) });
    });
  }
});
