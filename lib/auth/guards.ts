import "server-only";

import { cookies } from "next/headers";
import { forbidden, notFound, redirect } from "next/navigation";
import { cache } from "react";

import { getDb } from "../db";
import { WORKSPACE_SLUG } from "../workspace-slug";
import { findWorkspaceFor, type Workspace } from "../workspaces";
import { auth, browserSessionId, signedOutReason } from "./config";
import { can, type Permission, type WorkspacePermission } from "./permissions";
import type { AppUser } from "./users";

// The proxy already turned signed-out visitors away; every page, handler and action checks again
// here, against the database, because the proxy is a convenience and not a wall. What each role
// may do is lib/auth/permissions.ts; route handlers and server actions check it through
// lib/http/route.ts and lib/auth/action.ts, pages through the two functions at the bottom.

// A page view asks who is signed in and which workspace they see several times (the workspace
// layout, the page, its tab title): React's cache answers each once per server render, with one
// session check and one workspace lookup. Outside a render (route handlers, server actions) it
// does not memoise, so every call there reads afresh.

export const currentUser = cache(async (): Promise<AppUser | null> => {
  const session = await auth();
  return session?.user ?? null;
});

/** The current browser's session row, when it is signed in (checked against the database). */
export async function currentSessionId(): Promise<string | null> {
  if (!(await auth())) return null;
  return browserSessionId();
}

export async function requireUser(): Promise<AppUser> {
  const user = await currentUser();
  if (!user) {
    const reason = await signedOutReason((await cookies()).toString() || null);
    redirect(reason ? `/login?reason=${reason}` : "/login");
  }
  return user;
}

// A slug outside the rule every workspace was created under names no workspace and is answered
// without a query: a NUL in a path must never reach SQL.

/** The workspace if this user can see it, else null (the caller answers 404: absent and hidden look alike). */
export const visibleWorkspace = cache(async (user: AppUser, slug: string): Promise<Workspace | null> => {
  if (!WORKSPACE_SLUG.test(slug)) return null;
  return findWorkspaceFor(await getDb(), user, slug);
});

/** For pages: the user if their role holds this app-wide permission; otherwise the 403 page. */
export async function requirePermission(permission: Exclude<Permission, WorkspacePermission>): Promise<AppUser> {
  const user = await requireUser();
  if (!can(user, permission)) forbidden();
  return user;
}

/** For pages: the workspace if this user can see it (else a 404 that does not say whether it exists) and the permission in it (else 403). */
export async function requireWorkspace(
  slug: string,
  permission: WorkspacePermission = "batches.read",
): Promise<{ user: AppUser; workspace: Workspace }> {
  const user = await requireUser();
  const workspace = await visibleWorkspace(user, slug);
  if (!workspace) notFound();
  if (!can(user, permission, workspace.grants)) forbidden();
  return { user, workspace };
}
