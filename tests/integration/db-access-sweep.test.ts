import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { ACTIONS, ROUTES } from "@/lib/auth/access-registry";
import { can, GRANTABLE_PER_WORKSPACE, scopeOf, type Permission, type WorkspacePermission } from "@/lib/auth/permissions";
import { createUser, type AppUser } from "@/lib/auth/users";
import { workspaceAccess } from "@/lib/db/schema";
import { ACCESS_DENIED } from "@/lib/http/route";
import { createWorkspace, setWorkspaceAccess } from "@/lib/workspaces";

import { actionEntries, loadModule, routeEntries } from "../support/app-entries";
import { openTestDatabase, usingPostgres } from "../support/db";

// Every route handler and server action the registry lists (lib/auth/access-registry.ts), called
// directly against a real database as each kind of person: signed out, a member without access to
// the workspace, a member with access, an admin. Each gets exactly what the permissions table says:
// allowed means past the access checks (whatever the input then earns), refused means the refusal
// (401 / sign-in, 404 for a workspace they cannot see, 403 for a permission they lack), before any
// input is read. Only the session is stubbed (Auth.js does not load under Vitest), and the fresh
// sign-in check records that it was asked.
const session = vi.hoisted(() => ({ user: null as AppUser | null, fresh: [] as string[] }));
vi.mock("@/lib/auth/config", () => ({
  auth: async () => (session.user ? { user: session.user, sid: "sweep-session" } : null),
  signIn: async () => {},
  signOut: async () => {},
}));
vi.mock("@/lib/auth/fresh-sign-in", () => ({
  requireFreshSignIn: async (returnTo: string) => {
    session.fresh.push(returnTo);
  },
}));
vi.mock("next/headers", () => ({ headers: async () => new Headers({ "x-forwarded-for": "198.51.100.7", "user-agent": "vitest" }) }));
vi.mock("next/cache", () => ({ revalidatePath: () => {} }));

const SLUG = "sweep";

/** What each route is called with: past the access checks, none of these reaches Trillet. */
const ROUTE_SAMPLES: Record<string, { params: Record<string, string>; query?: string }> = {
  "GET /api/w/[workspace]/batches/[batchId]": { params: { batchId: "not a batch id!" } },
  "GET /api/w/[workspace]/batches/[batchId]/calls/[jobId]": { params: { batchId: "not a batch id!", jobId: "job-1" } },
  "GET /api/w/[workspace]/batches/[batchId]/export": { params: { batchId: "demo-finished" }, query: "status=failed&status=all" },
  "GET /api/w/[workspace]/batches/[batchId]/export/progress": { params: { batchId: "demo-finished" } },
  "GET /api/w/[workspace]/batches/[batchId]/insights": { params: { batchId: "demo-finished" } },
};

/** What each action's form holds (the workspace is added for workspace actions): harmless whoever runs it. */
const ACTION_SAMPLES: Record<string, Record<string, string>> = {
  "app/account/actions.ts#changePasswordAction": {},
  "app/account/actions.ts#linkOidcAction": {},
  "app/account/confirm/actions.ts#confirmPasswordAction": {},
  "app/account/confirm/actions.ts#confirmWithOidcAction": {},
  "app/account/actions.ts#signOutEverywhereAction": {},
  "app/settings/audit/actions.ts#changeAuditRetention": { days: "not-a-choice" },
  "app/settings/members/actions.ts#changeRole": { userId: "not-a-user" },
  "app/settings/members/actions.ts#setMemberDisabled": { userId: "not-a-user" },
  "app/settings/members/actions.ts#updateMemberAccess": { userId: "not-a-user" },
  "app/settings/members/invite-actions.ts#inviteMember": { email: "not-an-email" },
  "app/settings/members/invite-actions.ts#revokePendingInvite": { inviteId: "not-an-invite" },
  "app/settings/workspaces/actions.ts#addWorkspace": {},
  "app/settings/workspaces/actions.ts#deleteWorkspace": { workspaceId: "not-a-workspace", confirmSlug: "" },
  "app/settings/workspaces/actions.ts#editWorkspace": {},
  "app/settings/workspaces/actions.ts#testWorkspaceConnection": { workspaceId: "not-a-workspace" },
  "app/settings/workspaces/notification-actions.ts#addNotificationChannel": {},
  "app/settings/workspaces/notification-actions.ts#removeNotificationChannel": { workspaceId: "not-a-workspace" },
  "app/settings/workspaces/notification-actions.ts#sendTestNotification": { workspaceId: "not-a-workspace" },
  "app/w/[workspace]/batches/[batchId]/loop-actions.ts#cancelRunningBatch": { batchId: "never-tracked" },
  "app/w/[workspace]/batches/[batchId]/loop-actions.ts#previewRetry": { batchId: "never-tracked" },
  "app/w/[workspace]/batches/[batchId]/loop-actions.ts#startRetryBatch": {
    batchId: "never-tracked",
    agentId: "a",
    when: "now",
    idempotencyKey: "0b7f4c52-6f7e-4a43-9d0a-6f2b1c3d4e5f",
  },
  "app/w/[workspace]/batches/actions.ts#removeBatch": { batchId: "never-tracked" },
  "app/w/[workspace]/batches/actions.ts#renameBatch": { batchId: "never-tracked", label: "x" },
};

type Who = "signed out" | "member without access" | "member with access" | "member with grants" | "admin";
const people: Record<Who, AppUser | null> = {
  "signed out": null,
  "member without access": null,
  "member with access": null,
  "member with grants": null,
  admin: null,
};
const seesWorkspace: Record<Who, boolean> = {
  "signed out": false,
  "member without access": false,
  "member with access": true,
  "member with grants": true,
  admin: true,
};
// What an admin granted in the workspace on top of the role (Members page).
const grantsOf: Record<Who, WorkspacePermission[]> = {
  "signed out": [],
  "member without access": [],
  "member with access": [],
  "member with grants": [...GRANTABLE_PER_WORKSPACE],
  admin: [],
};

type Verdict = "allowed" | "sign in" | "hidden" | "forbidden";

/** What the table says this person gets. */
function expected(who: Who, permission: Permission): Verdict {
  const user = people[who];
  if (!user) return "sign in";
  if (scopeOf(permission) === "workspace" && !seesWorkspace[who]) return "hidden";
  return can(user, permission, grantsOf[who]) ? "allowed" : "forbidden";
}

async function routeVerdict(response: Response): Promise<Verdict> {
  if (response.status === 401) return "sign in";
  if (response.status === 403) return "forbidden";
  if (response.status === 404 && ((await response.clone().json()) as { error?: string }).error === ACCESS_DENIED.noWorkspace)
    return "hidden";
  return "allowed";
}

/** next/navigation's redirect(), notFound() and forbidden() throw errors with these digests. */
async function actionVerdict(run: () => Promise<unknown>): Promise<Verdict> {
  try {
    await run();
    return "allowed";
  } catch (error) {
    const digest = String((error as { digest?: unknown }).digest ?? "");
    if (digest.startsWith("NEXT_REDIRECT") && digest.includes(";/login;")) return "sign in";
    if (digest === "NEXT_HTTP_ERROR_FALLBACK;404") return "hidden";
    if (digest === "NEXT_HTTP_ERROR_FALLBACK;403") return "forbidden";
    throw error;
  }
}

let handle: Awaited<ReturnType<typeof openTestDatabase>>;
beforeAll(async () => {
  // forbidden() refuses to run unless Next's authInterrupts flag is on, as next.config.mjs sets it.
  vi.stubEnv("__NEXT_EXPERIMENTAL_AUTH_INTERRUPTS", "true");
  handle = await openTestDatabase();
  const { db } = handle;
  const workspace = await createWorkspace(db, {
    slug: SLUG,
    name: "Sweep",
    baseUrl: "https://api.trillet.invalid",
    apiKey: "sk_sweep_0123456789",
    trilletWorkspaceId: "ws_sweep",
  });
  people.admin = await createUser(db, { email: "admin@sweep.test", role: "admin" });
  people["member with access"] = await createUser(db, { email: "granted@sweep.test", role: "member" });
  people["member without access"] = await createUser(db, { email: "outsider@sweep.test", role: "member" });
  await setWorkspaceAccess(db, people["member with access"].id, workspace.id, true);
  people["member with grants"] = await createUser(db, { email: "trusted@sweep.test", role: "member" });
  await setWorkspaceAccess(db, people["member with grants"].id, workspace.id, true);
  await db
    .update(workspaceAccess)
    .set({ grants: [...GRANTABLE_PER_WORKSPACE] })
    .where(eq(workspaceAccess.userId, people["member with grants"].id));
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await handle.dispose();
});

const guardedRoutes = routeEntries().filter((r) => ROUTES[r.key] !== "public");
const guardedActions = actionEntries().filter((a) => ACTIONS[a.key]?.needs !== "public");

describe(`every route and action answers each person as the table says (${usingPostgres() ? "PostgreSQL" : "PGlite"})`, () => {
  it("has a sample for every guarded route and action", () => {
    expect(guardedRoutes.map((r) => r.key).sort()).toEqual(Object.keys(ROUTE_SAMPLES).sort());
    expect(guardedActions.map((a) => a.key).sort()).toEqual(Object.keys(ACTION_SAMPLES).sort());
  });

  for (const route of guardedRoutes) {
    it(`${route.key} (${ROUTES[route.key]})`, async () => {
      const permission = ROUTES[route.key] as Permission;
      const sample = ROUTE_SAMPLES[route.key]!;
      const handler = (await loadModule(route.file))[route.method] as (
        r: Request,
        c: { params: Promise<Record<string, string>> },
      ) => Promise<Response>;
      const params: Record<string, string> = { workspace: SLUG, ...sample.params };
      const url = `http://board.test${route.pattern.replace(/\[(\w+)\]/g, (_, name: string) => encodeURIComponent(params[name] ?? ""))}${sample.query ? `?${sample.query}` : ""}`;
      const got: Record<string, Verdict> = {};
      const want: Record<string, Verdict> = {};
      for (const who of Object.keys(people) as Who[]) {
        session.user = people[who];
        const response = await handler(new Request(url, { method: route.method }), { params: Promise.resolve(params) });
        got[who] = await routeVerdict(response);
        want[who] = expected(who, permission);
        expect(response.headers.get("cache-control"), `${who}: never stored`).toContain("no-store");
        if (got[who] === "allowed") expect(response.status, `${who}: ${await response.clone().text()}`).toBeLessThan(500);
      }
      expect(got).toEqual(want);
    });
  }

  for (const action of guardedActions) {
    const { needs, fresh } = ACTIONS[action.key]!;
    it(`${action.key} (${needs}${fresh ? ", fresh sign-in" : ""})`, async () => {
      const permission = needs as Permission;
      const fn = (await loadModule(action.file))[action.name] as (...args: unknown[]) => Promise<unknown>;
      const got: Record<string, Verdict> = {};
      const want: Record<string, Verdict> = {};
      for (const who of Object.keys(people) as Who[]) {
        session.user = people[who];
        session.fresh.length = 0;
        const form = new FormData();
        for (const [key, value] of Object.entries({
          ...(scopeOf(permission) === "workspace" ? { workspace: SLUG } : {}),
          ...ACTION_SAMPLES[action.key],
        })) {
          form.append(key, value);
        }
        // Form-state actions take (previous, formData); plain form actions take (formData).
        got[who] = await actionVerdict(() => (fn.length >= 2 ? fn(null, form) : fn(form)));
        want[who] = expected(who, permission);
        // Asked for only once the person may act, and always then for an admin change (coming back to its settings page).
        expect(session.fresh, who).toEqual(
          fresh && got[who] === "allowed" ? [expect.stringMatching(/^\/settings\/(members|workspaces|audit)$/)] : [],
        );
      }
      expect(got).toEqual(want);
    });
  }
});
