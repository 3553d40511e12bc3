import "server-only";
import { forbidden, notFound, redirect } from "next/navigation";
import { getDb } from "../db";
import { findWorkspaceFor, type Workspace } from "../workspaces";
import { auth, browserSessionId } from "./config";
import type { AppUser } from "./users";
import { WORKSPACE_SLUG } from "../workspace-slug";

// The proxy already turned signed-out visitors away; every page, handler and action checks again
// here, against the database, because the proxy is a convenience and not a wall.

export async function currentUser(): Promise<AppUser | null> {
  const session = await auth();
  return session?.user ?? null;
}

/** The current browser's session row, when it is signed in (checked against the database). */
export async function currentSessionId(): Promise<string | null> {
  if (!(await auth())) return null;
  return browserSessionId();
}

export async function requireUser(): Promise<AppUser> {
  const user = await currentUser();
  if (!user) redirect("/login");
  return user;
}

export async function requireAdmin(): Promise<AppUser> {
  const user = await requireUser();
  if (user.role !== "admin") forbidden();
  return user;
}

// A slug outside the rule every workspace was created under names no workspace and is answered
// without a query: a NUL in a path must never reach SQL.

/** The workspace if this user may use it; otherwise a 404 that does not say whether it exists. */
export async function requireWorkspace(slug: string): Promise<{ user: AppUser; workspace: Workspace }> {
  const user = await requireUser();
  if (!WORKSPACE_SLUG.test(slug)) notFound();
  const workspace = await findWorkspaceFor(await getDb(), user, slug);
  if (!workspace) notFound();
  return { user, workspace };
}

const json = (status: number, error: string) => Response.json({ error }, { status });

/** For route handlers: the user and workspace, or the 401/404 response to return instead. */
export async function apiWorkspace(slug: string): Promise<{ user: AppUser; workspace: Workspace } | Response> {
  const user = await currentUser();
  if (!user) return json(401, "Sign in to continue.");
  const workspace = WORKSPACE_SLUG.test(slug) ? await findWorkspaceFor(await getDb(), user, slug) : null;
  if (!workspace) return json(404, "No such workspace, or no access to it.");
  return { user, workspace };
}

export async function apiAdmin(): Promise<AppUser | Response> {
  const user = await currentUser();
  if (!user) return json(401, "Sign in to continue.");
  if (user.role !== "admin") return json(403, "Admins only.");
  return user;
}
