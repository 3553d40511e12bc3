import type { Permission } from "./permissions";

// Every way into the app (page, route handler, server action) and what it needs from the table in
// lib/auth/permissions.ts. The code declares the same permission where it checks it (withRoute,
// withAction, requirePermission/requireWorkspace); the tests hold the two together and read this
// list to sweep every entry with every role:
//   tests/unit/access-registry.test.ts   every app/**/route.ts export, "use server" export and page is listed, and wrapped with this permission;
//   tests/integration/db-access-sweep.test.ts   every handler and action, called as each role, answers as the table says;
//   tests/e2e/route-sweep.spec.ts        every page and API route, over HTTP, as each role.
// So a new page, route or action without a line here fails a test. No runtime imports: the
// Playwright suite reads it too.

/** "public": no session needed (sign-in, setup, invites, Auth.js, health); "signed-in": any session. */
export type Access = Permission | "public" | "signed-in";

export const PAGES: Record<string, Access> = {
  "/": "signed-in",
  "/account": "account.manage",
  "/account/confirm": "account.manage",
  "/invite/[token]": "public",
  "/login": "public",
  "/settings": "members.manage",
  "/settings/audit": "audit.read",
  "/settings/members": "members.manage",
  "/settings/workspaces": "workspaces.manage",
  "/settings/workspaces/[slug]/notifications": "workspaces.manage",
  "/setup": "public",
  "/w/[workspace]/batches": "batches.read",
  "/w/[workspace]/batches/[batchId]": "batches.read",
  "/w/[workspace]/batches/[batchId]/failed": "batches.read",
};

/** Route handlers as "METHOD /pattern". */
export const ROUTES: Record<string, Access> = {
  "GET /api/auth/[...nextauth]": "public",
  "POST /api/auth/[...nextauth]": "public",
  "GET /api/health": "public",
  "GET /api/ready": "public",
  // Asks for its own bearer token (METRICS_TOKEN), not a session.
  "GET /api/metrics": "public",
  "GET /api/w/[workspace]/batches/[batchId]": "batches.read",
  "GET /api/w/[workspace]/batches/[batchId]/calls/[jobId]": "batches.read",
  "GET /api/w/[workspace]/batches/[batchId]/export": "batches.export",
  "GET /api/w/[workspace]/batches/[batchId]/export/progress": "batches.export",
  "GET /api/w/[workspace]/batches/[batchId]/insights": "batches.read",
};

export interface ActionAccess {
  needs: Access;
  /** Asks for a recent sign-in first (admin changes to members, roles and workspace credentials). */
  fresh?: true;
}

/** Server actions as "file#export". */
export const ACTIONS: Record<string, ActionAccess> = {
  "app/account/actions.ts#changePasswordAction": { needs: "account.manage" },
  "app/account/actions.ts#linkOidcAction": { needs: "account.manage" },
  "app/account/confirm/actions.ts#confirmPasswordAction": { needs: "account.manage" },
  "app/account/confirm/actions.ts#confirmWithOidcAction": { needs: "account.manage" },
  "app/account/actions.ts#signOutAction": { needs: "public" },
  "app/account/actions.ts#signOutEverywhereAction": { needs: "account.manage" },
  "app/invite/[token]/actions.ts#acceptInviteAction": { needs: "public" },
  "app/login/actions.ts#oidcSignInAction": { needs: "public" },
  "app/login/actions.ts#signInAction": { needs: "public" },
  "app/settings/audit/actions.ts#changeAuditRetention": { needs: "members.manage", fresh: true },
  "app/settings/members/actions.ts#changeRole": { needs: "members.manage", fresh: true },
  "app/settings/members/actions.ts#setMemberDisabled": { needs: "members.manage", fresh: true },
  "app/settings/members/actions.ts#updateMemberAccess": { needs: "members.manage", fresh: true },
  "app/settings/members/invite-actions.ts#inviteMember": { needs: "members.manage", fresh: true },
  "app/settings/members/invite-actions.ts#revokePendingInvite": { needs: "members.manage", fresh: true },
  "app/settings/workspaces/actions.ts#addWorkspace": { needs: "workspaces.manage", fresh: true },
  "app/settings/workspaces/actions.ts#deleteWorkspace": { needs: "workspaces.manage", fresh: true },
  "app/settings/workspaces/actions.ts#editWorkspace": { needs: "workspaces.manage", fresh: true },
  "app/settings/workspaces/actions.ts#testWorkspaceConnection": { needs: "workspaces.manage" },
  "app/settings/workspaces/notification-actions.ts#addNotificationChannel": { needs: "workspaces.manage", fresh: true },
  "app/settings/workspaces/notification-actions.ts#removeNotificationChannel": { needs: "workspaces.manage", fresh: true },
  "app/settings/workspaces/notification-actions.ts#sendTestNotification": { needs: "workspaces.manage" },
  "app/setup/actions.ts#setupAction": { needs: "public" },
  "app/w/[workspace]/batches/[batchId]/loop-actions.ts#cancelRunningBatch": { needs: "batches.cancel" },
  "app/w/[workspace]/batches/[batchId]/loop-actions.ts#previewRetry": { needs: "batches.start" },
  "app/w/[workspace]/batches/[batchId]/loop-actions.ts#startRetryBatch": { needs: "batches.start" },
  "app/w/[workspace]/batches/actions.ts#removeBatch": { needs: "batches.manage" },
  "app/w/[workspace]/batches/actions.ts#renameBatch": { needs: "batches.manage" },
};
