import "server-only";
import type { Profile } from "next-auth";
import type { Provider } from "next-auth/providers";
import type { Database } from "../db";
import { env } from "../env";
import { acceptInvite, findPendingInviteByEmail } from "./invites";
import { createUser, findUserByEmail } from "./users";

/** The optional OIDC provider, when OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are set. */
export function oidcProviders(): Provider[] {
  if (!env.OIDC_ISSUER || !env.OIDC_CLIENT_ID || !env.OIDC_CLIENT_SECRET) return [];
  return [
    {
      id: "oidc",
      name: env.OIDC_NAME,
      type: "oidc",
      issuer: env.OIDC_ISSUER,
      clientId: env.OIDC_CLIENT_ID,
      clientSecret: env.OIDC_CLIENT_SECRET,
      checks: ["pkce", "state", "nonce"],
    },
  ];
}

export function oidcEnabled(): boolean {
  return oidcProviders().length > 0;
}

/**
 * OIDC admits only people we expect: an existing active member, an email with a pending invite
 * (the invite is accepted), or a verified email in OIDC_ALLOWED_DOMAINS (joins as a member).
 */
export async function admitOidcUser(db: Database, profile: Profile | undefined, allowedDomains = env.OIDC_ALLOWED_DOMAINS): Promise<boolean> {
  const email = typeof profile?.email === "string" ? profile.email.trim().toLowerCase() : "";
  if (!email || profile?.email_verified === false) return false;
  const name = typeof profile?.name === "string" ? profile.name : "";
  const existing = await findUserByEmail(db, email);
  if (existing) return !existing.disabled;
  const invite = await findPendingInviteByEmail(db, email);
  if (invite) {
    await acceptInvite(db, { id: invite.id }, { name, password: null });
    return true;
  }
  const domain = email.split("@")[1] ?? "";
  if (allowedDomains.includes(domain)) {
    await createUser(db, { email, name, role: "member" });
    return true;
  }
  return false;
}
