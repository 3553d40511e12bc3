import type { Role } from "../db/schema";

// Who may do what: the one table. Route handlers and server actions name the permission they need
// (lib/http/route.ts withRoute, lib/auth/action.ts withAction), pages check through requireWorkspace
// and requirePermission (lib/auth/guards.ts), and the access sweep tests read this same table.
// No imports beyond a type: the browser may read it too (which menu items to show).

/** Every permission, and where it applies. */
export const PERMISSIONS = {
  // Inside one workspace, and only one the user can see (any other answers 404, as if absent).
  "batches.read": { scope: "workspace", means: "Open batches, their calls, failures and charts" },
  "batches.export": { scope: "workspace", means: "Download CSV reports and calls to retry" },
  "batches.manage": { scope: "workspace", means: "Rename and remove batches in the team's list" },
  "batches.start": { scope: "workspace", means: "Start batches in Trillet: retry failed calls as a new batch" },
  "batches.cancel": { scope: "workspace", means: "Cancel a running batch in Trillet" },
  // Across the whole app.
  "members.manage": { scope: "app", means: "Invite, disable and re-enable people; change roles and workspace access" },
  "workspaces.manage": { scope: "app", means: "Add and edit Trillet connections (credentials), test them" },
  "audit.read": { scope: "app", means: "Read the audit log" },
  "account.manage": { scope: "app", means: "Change one's own password, sign out one's own sessions" },
} as const satisfies Record<string, { scope: "workspace" | "app"; means: string }>;

export type Permission = keyof typeof PERMISSIONS;
export type WorkspacePermission = { [P in Permission]: (typeof PERMISSIONS)[P]["scope"] extends "workspace" ? P : never }[Permission];

interface RoleAccess {
  /** Which workspaces the role can see at all: every one, or the ones an admin granted. */
  workspaces: "all" | "granted";
  permissions: readonly Permission[];
}

export const ROLES_ACCESS: Record<Role, RoleAccess> = {
  admin: {
    workspaces: "all",
    permissions: [
      "batches.read",
      "batches.export",
      "batches.manage",
      "batches.start",
      "batches.cancel",
      "members.manage",
      "workspaces.manage",
      "audit.read",
      "account.manage",
    ],
  },
  member: {
    workspaces: "granted",
    permissions: ["batches.read", "batches.export", "batches.manage", "account.manage"],
  },
};

/**
 * Workspace permissions an admin may give a member in one workspace on top of the role's
 * (workspace_access.grants, set on the Members page). Starting and cancelling calls costs money
 * and reaches people, so members do not have them unless an admin says so.
 */
export const GRANTABLE_PER_WORKSPACE: readonly WorkspacePermission[] = ["batches.start", "batches.cancel"];

export const scopeOf = (permission: Permission) => PERMISSIONS[permission].scope;

/**
 * Whether this role holds the permission. A workspace permission is only ever asked inside a
 * workspace the user can see; `grants` are that workspace's extra grants for this user.
 */
export function can(user: { role: Role }, permission: Permission, grants: readonly WorkspacePermission[] = []): boolean {
  if (ROLES_ACCESS[user.role].permissions.includes(permission)) return true;
  return (
    scopeOf(permission) === "workspace" &&
    grants.includes(permission as WorkspacePermission) &&
    GRANTABLE_PER_WORKSPACE.includes(permission as WorkspacePermission)
  );
}

export const seesEveryWorkspace = (user: { role: Role }) => ROLES_ACCESS[user.role].workspaces === "all";
