"use server";

import { AuthError } from "next-auth";
import { safeCallbackUrl } from "@/lib/auth/callback-url";
import { signIn, ThrottledSignin } from "@/lib/auth/config";
import { currentRequestInfo } from "@/lib/auth/request-info";
import { noteSignInThrottled } from "@/lib/auth/sign-in-events";
import { signInBlockedFor } from "@/lib/auth/throttle";
import { normaliseEmail } from "@/lib/auth/users";
import { getDb } from "@/lib/db";

export type SignInState = { error: string; email: string } | null;

const INCORRECT = "Email or password is incorrect.";

function throttledMessage(ms: number) {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  return `Too many sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
}

export async function signInAction(_: SignInState, form: FormData): Promise<SignInState> {
  const email = String(form.get("email") ?? "");
  const password = String(form.get("password") ?? "");
  const redirectTo = safeCallbackUrl(form.get("callbackUrl"));
  if (!email.trim() || !password) return { error: "Enter your email and password.", email };
  const info = await currentRequestInfo();
  const blocked = await signInBlockedFor(await getDb(), normaliseEmail(email), info.ip);
  if (blocked > 0) {
    noteSignInThrottled(normaliseEmail(email), info.ip);
    return { error: throttledMessage(blocked), email };
  }
  try {
    await signIn("credentials", { email, password, redirectTo });
  } catch (error) {
    if (error instanceof ThrottledSignin || (error instanceof AuthError && error.message.includes("throttled"))) {
      return { error: throttledMessage(15 * 60_000), email };
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
