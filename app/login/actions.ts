"use server";

import { AuthError } from "next-auth";

import { recordAuditEvent } from "@/lib/audit";
import { safeCallbackUrl } from "@/lib/auth/callback-url";
import { signIn, ThrottledSignin } from "@/lib/auth/config";
import { currentRequestInfo } from "@/lib/auth/request-info";
import { noteSignInThrottled } from "@/lib/auth/sign-in-events";
import { attemptBlockedFor, retryMessage } from "@/lib/auth/throttle";
import { normaliseEmail } from "@/lib/auth/users";
import { getDb } from "@/lib/db";

export type SignInState = { error: string; email: string } | null;

const INCORRECT = "Email or password is incorrect.";

function throttledMessage(ms: number) {
  return `Too many sign-in attempts. ${retryMessage(ms)}`;
}

export async function signInAction(_: SignInState, form: FormData): Promise<SignInState> {
  const email = String(form.get("email") ?? "");
  const password = String(form.get("password") ?? "");
  const redirectTo = safeCallbackUrl(form.get("callbackUrl"));
  if (!email.trim() || !password) return { error: "Enter your email and password.", email };
  const info = await currentRequestInfo();
  const subject = { account: normaliseEmail(email), address: info.ip };
  // A read-only look first, so a delayed sign-in does not go through Auth.js at all; the slot
  // itself is taken in authorize() (lib/auth/password-check.ts), where parallel attempts meet.
  const db = await getDb();
  const blocked = await attemptBlockedFor(db, subject);
  if (blocked > 0) {
    await recordAuditEvent(db, { actor: { id: null, email: subject.account }, action: "auth.sign_in_throttled", request: info });
    noteSignInThrottled(subject.account, info.ip);
    return { error: throttledMessage(blocked), email };
  }
  try {
    await signIn("credentials", { email, password, redirectTo });
  } catch (error) {
    if (error instanceof ThrottledSignin || (error instanceof AuthError && error.message.includes("throttled"))) {
      return { error: throttledMessage(Math.max(1_000, await attemptBlockedFor(db, subject))), email };
    }
    // Any other sign-in failure reads the same: no hint whether the account exists.
    if (error instanceof AuthError) return { error: INCORRECT, email };
    throw error;
  }
  return null;
}

export async function oidcSignInAction(form: FormData) {
  await signIn("oidc", { redirectTo: safeCallbackUrl(form.get("callbackUrl")) });
}
