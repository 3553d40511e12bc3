"use server";

import { z } from "zod";
import { recordAudit } from "@/lib/audit";
import { signIn, signOut } from "@/lib/auth/config";
import { requireFreshSignIn } from "@/lib/auth/fresh-sign-in";
import { currentSessionId, requireUser } from "@/lib/auth/guards";
import { oidcEnabled } from "@/lib/auth/oidc";
import { currentRequestInfo } from "@/lib/auth/request-info";
import { deleteUserSessions, requestOidcLink } from "@/lib/auth/sessions";
import { findCredentials, setPassword } from "@/lib/auth/users";
import { getDb } from "@/lib/db";
import { passwordProblem, verifyPassword } from "@/lib/security/password";

export type FormState = { ok: boolean; message: string } | null;

export async function signOutAction() {
  await signOut({ redirectTo: "/login" });
}

/** Ends every session of this user, this one included: the next request of each must sign in. */
export async function signOutEverywhereAction() {
  const user = await requireUser();
  const db = await getDb();
  await deleteUserSessions(db, user.id);
  await recordAudit(db, { actor: user, action: "auth.sign_out_everywhere", request: await currentRequestInfo() });
  await signOut({ redirectTo: "/login" });
}

const passwordForm = z.object({
  current: z.string().min(1, "Enter your current password."),
  password: z.string(),
  confirm: z.string(),
});

export async function changePasswordAction(_: FormState, form: FormData): Promise<FormState> {
  const user = await requireUser();
  const parsed = passwordForm.safeParse(Object.fromEntries(form));
  if (!parsed.success) return { ok: false, message: parsed.error.issues[0]?.message ?? "Check the form." };
  const { current, password: next, confirm } = parsed.data;
  const problem = passwordProblem(next);
  if (problem) return { ok: false, message: problem };
  if (next !== confirm) return { ok: false, message: "The new passwords do not match." };
  const db = await getDb();
  const found = await findCredentials(db, user.email);
  if (!found || !(await verifyPassword(current, found.passwordHash))) {
    return { ok: false, message: "Your current password is not correct." };
  }
  await setPassword(db, user.id, next);
  // A changed password ends the other sessions: whoever knew the old one is signed out.
  const keep = await currentSessionId();
  await deleteUserSessions(db, user.id, keep ?? undefined);
  await recordAudit(db, { actor: user, action: "auth.password_changed", request: await currentRequestInfo() });
  return { ok: true, message: "Password changed. Your other sessions were signed out." };
}

/**
 * "Link <provider> sign-in": the signed-in user (with a recent sign-in) proves the OIDC identity
 * by signing in at the provider; the callback links it to this session's user (lib/auth/config.ts).
 * This is how an existing password account starts signing in with OIDC: an email match alone never links.
 */
export async function linkOidcAction() {
  if (!oidcEnabled()) return;
  await requireUser();
  await requireFreshSignIn("/account");
  const sessionId = await currentSessionId();
  if (!sessionId) return;
  await requestOidcLink(await getDb(), sessionId);
  // prompt=login: the provider asks who is signing in, so the identity linked is the one chosen now.
  await signIn("oidc", { redirectTo: "/account?oidc=linked" }, { prompt: "login" });
}
