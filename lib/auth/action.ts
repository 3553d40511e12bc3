import "server-only";

import { forbidden, notFound, redirect } from "next/navigation";
import type { z } from "zod";

import { failed, firstIssue } from "@/components/settings/action-result";

import { fieldsOf } from "../http/fields";
import { isTrilletError } from "../trillet/errors";
import type { Workspace } from "../workspaces";
import { declareAccess } from "./declared-access";
import { requireFreshSignIn } from "./fresh-sign-in";
import { currentUser, visibleWorkspace } from "./guards";
import { can, scopeOf, type Permission, type WorkspacePermission } from "./permissions";
import type { AppUser } from "./users";

// The one way a server action is built. Who is asking (signed out: to /login), the workspace named
// by the form's `workspace` field (404 when they cannot see it), the permission from
// lib/auth/permissions.ts (403), a recent sign-in for admin changes, then the form validated with
// zod: bad input comes back as the form's error message, never a throw. A typed upstream failure
// comes back the same way (its message names no secret).

interface ActionOptions<P extends Permission, Input extends z.ZodType, S> {
  permission: P;
  input: Input;
  /**
   * Admin changes to members, roles and workspace credentials: the page to come back to after the
   * password (or OIDC) confirmation a sign-in older than FRESH_SIGN_IN_MS must give first.
   */
  fresh?: string;
  /** How this form shows a refusal; the settings forms' `{ ok: false, error }` by default. */
  refuse?: (message: string) => S;
}

export interface ActionContext<P extends Permission, Input> {
  input: Input;
  user: AppUser;
  /** The workspace named by the form; only for a workspace permission. */
  workspace: P extends WorkspacePermission ? Workspace : null;
}

async function authorise(permission: Permission, formData: FormData, fresh: string | undefined) {
  const user = await currentUser();
  if (!user) redirect("/login");
  let workspace: Workspace | null = null;
  if (scopeOf(permission) === "workspace") {
    const slug = formData.get("workspace");
    workspace = typeof slug === "string" ? await visibleWorkspace(user, slug) : null;
    if (!workspace) notFound();
  }
  if (!can(user, permission, workspace?.grants)) forbidden();
  if (fresh) await requireFreshSignIn(fresh);
  return { user, workspace };
}

/** An action for useActionState: `(previous, formData) => state`. */
export function withAction<P extends Permission, Input extends z.ZodType, S>(
  options: ActionOptions<P, Input, S>,
  fn: (context: ActionContext<P, z.output<Input>>) => Promise<S>,
): (previous: S, formData: FormData) => Promise<S> {
  const refuse = options.refuse ?? ((message: string) => failed(message) as S);
  const action = async (_previous: S, formData: FormData): Promise<S> => {
    const { user, workspace } = await authorise(options.permission, formData, options.fresh);
    const input = options.input.safeParse(fieldsOf(formData));
    if (!input.success) return refuse(firstIssue(input.error));
    try {
      return await fn({ input: input.data, user, workspace: workspace as ActionContext<P, unknown>["workspace"] });
    } catch (error) {
      if (isTrilletError(error)) return refuse(error.message);
      throw error;
    }
  };
  return declareAccess(action, { kind: "action", permission: options.permission, fresh: Boolean(options.fresh) });
}

/** An action a plain `<form action>` posts to, with nothing to show back (it redirects). */
export function withFormAction<P extends Permission, Input extends z.ZodType>(
  options: Omit<ActionOptions<P, Input, void>, "refuse">,
  fn: (context: ActionContext<P, z.output<Input>>) => Promise<void>,
): (formData: FormData) => Promise<void> {
  const stateful = withAction({ ...options, refuse: () => undefined }, fn);
  return declareAccess(async (formData: FormData) => stateful(undefined, formData), {
    kind: "action",
    permission: options.permission,
    fresh: Boolean(options.fresh),
  });
}
