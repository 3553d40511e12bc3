"use server";

import { redirect } from "next/navigation";
import { recordAudit } from "@/lib/audit";
import { safeCallbackUrl } from "@/lib/auth/callback-url";
import { signIn } from "@/lib/auth/config";
import { currentSessionId, requireUser } from "@/lib/auth/guards";
import { oidcEnabled } from "@/lib/auth/oidc";
import { currentRequestInfo } from "@/lib/auth/request-info";
import { confirmSession } from "@/lib/auth/sessions";
import { clearSignInFailures, recordSignInFailure, signInBlockedFor } from "@/lib/auth/throttle";
import { findCredentials } from "@/lib/auth/users";
import { getDb } from "@/lib/db";
import { verifyPassword } from "@/lib/security/password";

export type ConfirmState = { error: string } | null;

/**
 * Re-entering the password before an admin change. Throttled like sign-in (same counters: a
 * stolen session cannot guess the password faster here than at /login), audited either way.
 */
export async function confirmPasswordAction(_: ConfirmState, form: FormData): Promise<ConfirmState> {
  const user = await requireUser();
  const next = safeCallbackUrl(form.get("next"));
  const password = form.get("password");
  if (typeof password !== "string" || !password || password.length > 1024) return { error: "Enter your password." };
  const db = await getDb();
  const info = await currentRequestInfo();
  const blocked = await signInBlockedFor(db, user.email, info.ip);
  if (blocked > 0) {
    const minutes = Math.max(1, Math.ceil(blocked / 60_000));
    return { error: `Too many attempts. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.` };
  }
  const found = await findCredentials(db, user.email);
  if (!found || !(await verifyPassword(password, found.passwordHash))) {
    await recordSignInFailure(db, user.email, info.ip);
    await recordAudit(db, { actor: user, action: "auth.sign_in_confirm_failed", request: info });
    return { error: "That password is not correct." };
  }
  await clearSignInFailures(db, user.email);
  const sessionId = await currentSessionId();
  if (!sessionId) redirect("/login");
  await confirmSession(db, sessionId);
  await recordAudit(db, { actor: user, action: "auth.sign_in_confirmed", detail: { method: "password" }, request: info });
  redirect(next);
}

/** Without a password: a new sign-in at the provider (asked to authenticate again) confirms. */
export async function confirmWithOidcAction(form: FormData) {
  await requireUser();
  if (!oidcEnabled()) redirect("/account");
  await signIn("oidc", { redirectTo: safeCallbackUrl(form.get("next")) }, { prompt: "login", max_age: "0" });
}
