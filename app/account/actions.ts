"use server";

import { z } from "zod";

import { recordAudit } from "@/lib/audit";
import { withAction, withFormAction } from "@/lib/auth/action";
import { signIn, signOut } from "@/lib/auth/config";
import { requireFreshSignIn } from "@/lib/auth/fresh-sign-in";
import { currentSessionId } from "@/lib/auth/guards";
import { oidcEnabled } from "@/lib/auth/oidc";
import { checkCurrentPassword } from "@/lib/auth/password-check";
import { currentRequestInfo } from "@/lib/auth/request-info";
import { deleteUserSessions, requestOidcLink } from "@/lib/auth/sessions";
import { retryMessage } from "@/lib/auth/throttle";
import { setPassword } from "@/lib/auth/users";
import { getDb } from "@/lib/db";
import { passwordProblem } from "@/lib/security/password";

export type FormState = { ok: boolean; message: string } | null;

export async function signOutAction() {
  await signOut({ redirectTo: "/login" });
}

/** Ends every session of this user, this one included: the next request of each must sign in. */
export const signOutEverywhereAction = withFormAction({ permission: "account.manage", input: z.object({}) }, async ({ user }) => {
  const db = await getDb();
  const request = await currentRequestInfo();
  await db.transaction(async (tx) => {
    await deleteUserSessions(tx, user.id);
    await recordAudit(tx, { actor: user, action: "auth.sign_out_everywhere", request });
  });
  await signOut({ redirectTo: "/login" });
});

const passwordForm = z.object({
  current: z.string().min(1, "Enter your current password."),
  password: z.string(),
  confirm: z.string(),
});

export const changePasswordAction = withAction(
  { permission: "account.manage", input: passwordForm, refuse: (message): FormState => ({ ok: false, message }) },
  async ({ input, user }): Promise<FormState> => {
    const { current, password: next, confirm } = input;
    const problem = passwordProblem(next);
    if (problem) return { ok: false, message: problem };
    if (next !== confirm) return { ok: false, message: "The new passwords do not match." };
    const db = await getDb();
    // The same throttle as sign-in (lib/auth/password-check.ts): a stolen session cannot guess the password.
    const check = await checkCurrentPassword(db, user, current, await currentRequestInfo());
    if (check.outcome === "throttled") return { ok: false, message: `Too many password attempts. ${retryMessage(check.retryAfterMs)}` };
    if (check.outcome !== "ok") return { ok: false, message: "Your current password is not correct." };
    const keep = await currentSessionId();
    const request = await currentRequestInfo();
    await db.transaction(async (tx) => {
      await setPassword(tx, user.id, next);
      // A changed password ends the other sessions: whoever knew the old one is signed out.
      await deleteUserSessions(tx, user.id, keep ?? undefined);
      await recordAudit(tx, { actor: user, action: "auth.password_changed", request });
    });
    return { ok: true, message: "Password changed. Your other sessions were signed out." };
  },
);

/**
 * "Link <provider> sign-in": the signed-in user (with a recent sign-in) proves the OIDC identity
 * by signing in at the provider; the callback links it to this session's user (lib/auth/config.ts).
 * This is how an existing password account starts signing in with OIDC: an email match alone never links.
 */
export const linkOidcAction = withFormAction({ permission: "account.manage", input: z.object({}) }, async () => {
  if (!oidcEnabled()) return;
  await requireFreshSignIn("/account");
  const sessionId = await currentSessionId();
  if (!sessionId) return;
  await requestOidcLink(await getDb(), sessionId);
  // prompt=login: the provider asks who is signing in, so the identity linked is the one chosen now.
  await signIn("oidc", { redirectTo: "/account?oidc=linked" }, { prompt: "login" });
});
