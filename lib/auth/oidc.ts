import "server-only";

import { and, eq, ne } from "drizzle-orm";
import type { Account, Profile } from "next-auth";
import type { Provider } from "next-auth/providers";

import { recordAudit, recordAuditEvent, type RequestInfo } from "../audit";
import type { Database } from "../db";
import { userIdentities } from "../db/schema";
import { env } from "../env";
import { acceptInvite, findPendingInviteByEmail } from "./invites";
import { createUser, findUserByEmail, findUserById, normaliseEmail, type AppUser } from "./users";

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
 * Whether the provider says it verified the email: only `true` (or the string "true", which some
 * providers send). A missing claim, false, "false" or anything else is not a verification.
 */
export function emailVerified(value: unknown): boolean {
  return value === true || value === "true";
}

/** Who the provider says signed in: its issuer and subject identify the person; the email does not. */
export interface OidcIdentity {
  issuer: string;
  subject: string;
  /** Normalised; "" when the provider gave none. */
  email: string;
  emailVerified: boolean;
  name: string;
}

/**
 * The identity in a validated ID token (Auth.js checked its signature, issuer, audience and nonce).
 * Null when the token lacks an issuer or subject, which a conforming provider never sends.
 */
export function oidcIdentityOf(profile: Profile | undefined, account?: Pick<Account, "providerAccountId"> | null): OidcIdentity | null {
  const issuer = typeof profile?.iss === "string" && profile.iss ? profile.iss : (env.OIDC_ISSUER ?? "");
  const subject = typeof profile?.sub === "string" && profile.sub ? profile.sub : (account?.providerAccountId ?? "");
  if (!issuer || !subject) return null;
  return {
    issuer,
    subject,
    email: typeof profile?.email === "string" ? normaliseEmail(profile.email) : "",
    emailVerified: emailVerified(profile?.email_verified),
    name: typeof profile?.name === "string" ? profile.name.slice(0, 200) : "",
  };
}

export async function findUserByIdentity(db: Database, issuer: string, subject: string): Promise<AppUser | null> {
  const [row] = await db
    .select({ userId: userIdentities.userId })
    .from(userIdentities)
    .where(and(eq(userIdentities.issuer, issuer), eq(userIdentities.subject, subject)));
  return row ? findUserById(db, row.userId) : null;
}

/** The identities linked to a user (the account page shows them). */
export async function listIdentities(db: Database, userId: string) {
  return db
    .select({ issuer: userIdentities.issuer, email: userIdentities.email, createdAt: userIdentities.createdAt })
    .from(userIdentities)
    .where(eq(userIdentities.userId, userId));
}

/**
 * Records the identity for the user. A user keeps one identity per issuer: linking another
 * subject of the same provider replaces the old one. Returns false when the identity belongs to
 * someone else already (it is never moved between users).
 */
class IdentityTaken extends Error {}

async function linkIdentity(db: Database, userId: string, identity: OidcIdentity): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [taken] = await tx
      .select({ userId: userIdentities.userId })
      .from(userIdentities)
      .where(and(eq(userIdentities.issuer, identity.issuer), eq(userIdentities.subject, identity.subject)))
      .for("update");
    if (taken && taken.userId !== userId) return false;
    await tx
      .delete(userIdentities)
      .where(
        and(eq(userIdentities.userId, userId), eq(userIdentities.issuer, identity.issuer), ne(userIdentities.subject, identity.subject)),
      );
    await tx
      .insert(userIdentities)
      .values({ issuer: identity.issuer, subject: identity.subject, userId, email: identity.email })
      .onConflictDoUpdate({
        target: [userIdentities.issuer, userIdentities.subject],
        set: { email: identity.email, lastUsedAt: new Date() },
      });
    return true;
  });
}

export type OidcRefusal =
  /** The token had no issuer or subject. */
  | "invalid"
  /** No email, or the provider did not say it verified it. */
  | "unverified"
  /** The email is an existing account's, and this identity is not linked to it. */
  | "link_required"
  /** Neither invited nor in an allowed domain. */
  | "not_admitted"
  | "disabled"
  /** (Linking) the identity is already linked to another account. */
  | "identity_taken";

export type OidcOutcome = { ok: true; user: AppUser; linked: boolean } | { ok: false; reason: OidcRefusal };

/**
 * Decides an OIDC sign-in. People are matched on the provider's issuer and subject, never on the
 * email alone:
 * - `linkTo` (the account page's "Link <provider> sign-in", by a user signed in here): the identity
 *   is linked to that user, who thereby proved both;
 * - an identity linked before signs in as its user, whatever email the provider now gives;
 * - an unknown identity whose email is an existing account's is refused: its owner links it from
 *   the account page (signed in with the password);
 * - otherwise a pending invite of the email is accepted, or an email in `allowedDomains` joins as
 *   a member, and the identity is linked to the new user.
 * Every sign-in needs an email the provider says it verified. Links and refusals are audited.
 */
export async function admitOidcUser(
  db: Database,
  identity: OidcIdentity | null,
  {
    allowedDomains = env.OIDC_ALLOWED_DOMAINS,
    linkTo = null,
    request = null,
  }: { allowedDomains?: string[]; linkTo?: AppUser | null; request?: RequestInfo | null } = {},
): Promise<OidcOutcome> {
  const refuse = async (reason: OidcRefusal, actor: AppUser | null = null): Promise<OidcOutcome> => {
    await recordAuditEvent(db, {
      actor: actor ?? { id: null, email: identity?.email || null },
      action: linkTo ? "auth.oidc_link_refused" : "auth.oidc_refused",
      target: identity?.email || null,
      detail: { reason, issuer: identity?.issuer ?? null },
      request,
    });
    return { ok: false, reason };
  };
  if (!identity) return refuse("invalid", linkTo);
  if (!identity.email || !identity.emailVerified) return refuse("unverified", linkTo);

  if (linkTo) {
    const linked = await db.transaction(async (tx) => {
      if (!(await linkIdentity(tx, linkTo.id, identity))) return false;
      await recordAudit(tx, {
        actor: linkTo,
        action: "auth.oidc_linked",
        target: linkTo.email,
        detail: { issuer: identity.issuer, providerEmail: identity.email },
        request,
      });
      return true;
    });
    if (!linked) return refuse("identity_taken", linkTo);
    return { ok: true, user: linkTo, linked: true };
  }

  const known = await findUserByIdentity(db, identity.issuer, identity.subject);
  if (known) {
    if (known.disabled) return refuse("disabled", known);
    await linkIdentity(db, known.id, identity); // keeps the provider's current email and last use
    return { ok: true, user: known, linked: false };
  }

  const existing = await findUserByEmail(db, identity.email);
  if (existing) return refuse("link_required", existing);

  const invite = await findPendingInviteByEmail(db, identity.email);
  const domain = identity.email.split("@")[1] ?? "";
  if (!invite && !allowedDomains.includes(domain)) return refuse("not_admitted");
  // The new member, their identity and the audit entries commit together, or not at all.
  const user = await db
    .transaction(async (tx) => {
      let created: AppUser;
      if (invite) {
        created = await acceptInvite(tx, { id: invite.id }, { name: identity.name, password: null }, { request, via: "oidc" });
      } else {
        created = await createUser(tx, { email: identity.email, name: identity.name, role: "member" });
        await recordAudit(tx, {
          actor: created,
          action: "user.created",
          target: created.email,
          detail: { via: "oidc", role: "member" },
          request,
        });
      }
      if (!(await linkIdentity(tx, created.id, identity))) throw new IdentityTaken();
      await recordAudit(tx, {
        actor: created,
        action: "auth.oidc_linked",
        target: created.email,
        detail: { issuer: identity.issuer, providerEmail: identity.email, via: invite ? "invite" : "allowed_domain" },
        request,
      });
      return created;
    })
    .catch((error: unknown) => {
      if (error instanceof IdentityTaken) return null;
      throw error;
    });
  if (!user) return refuse("identity_taken");
  return { ok: true, user, linked: true };
}

/** What the sign-in page says for each refusal (never whether another account exists beyond the email's own). */
export const OIDC_REFUSAL_MESSAGES: Record<OidcRefusal, string> = {
  invalid: "The sign-in provider sent an incomplete answer. Try again, or ask an admin.",
  unverified: "Your sign-in provider has not verified your email address, so Batchboard cannot admit you. Verify it there, then try again.",
  link_required:
    "An account with this email already exists. Sign in with your password, then link this sign-in from your Account page, or ask an admin.",
  not_admitted: "This account has not been invited to Batchboard. Ask an admin for an invite.",
  disabled: "This account is disabled. Ask an admin.",
  identity_taken: "This sign-in is already linked to another Batchboard account.",
};
