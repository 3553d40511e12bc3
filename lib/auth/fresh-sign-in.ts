import "server-only";

import { redirect } from "next/navigation";

import { getDb, type Database } from "../db";
import { env } from "../env";
import { sameOriginPath } from "./callback-url";
import { sessionConfirmedAt } from "./sessions";

// Admin changes to members, roles and workspace credentials need a recent sign-in: a session
// whose last proof (sign-in, or a confirmation) is older than FRESH_SIGN_IN_MS must confirm the
// password (or sign in again with OIDC) first, on /account/confirm.
export const FRESH_SIGN_IN_MS = env.FRESH_SIGN_IN_MINUTES * 60 * 1000;

/** The confirmation page, returning to `returnTo` (same-origin paths only) afterwards. */
export function confirmationPath(returnTo: string): string {
  return `/account/confirm?next=${encodeURIComponent(sameOriginPath(returnTo))}`;
}

/**
 * Where a session must go before an admin change: null when its last proof is recent enough,
 * else the confirmation page (also for a session row that no longer exists).
 */
export async function freshSignInRedirect(db: Database, sessionId: string, returnTo: string, now = new Date()): Promise<string | null> {
  const confirmedAt = await sessionConfirmedAt(db, sessionId);
  if (confirmedAt && now.getTime() - confirmedAt.getTime() <= FRESH_SIGN_IN_MS) return null;
  return confirmationPath(returnTo);
}

/**
 * Returns when the current sign-in is fresh enough for an admin change; otherwise it ends the
 * request (a redirect to the confirmation page that returns to `returnTo`).
 */
export async function requireFreshSignIn(returnTo: string): Promise<void> {
  // Loaded here, not at the top: the check above stays usable without Auth.js (tests, scripts).
  const { currentSessionId } = await import("./guards");
  const sessionId = await currentSessionId();
  if (!sessionId) redirect(`/login?callbackUrl=${encodeURIComponent(sameOriginPath(returnTo))}`);
  const target = await freshSignInRedirect(await getDb(), sessionId, returnTo);
  if (target) redirect(target);
}
