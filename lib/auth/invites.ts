import "server-only";

import { and, asc, eq, gt, isNull } from "drizzle-orm";

import { recordAudit, type RequestInfo } from "../audit";
import type { Database } from "../db";
import { invites, users, workspaceAccess, type Role } from "../db/schema";
import { hashPassword, passwordProblem } from "../security/password";
import { randomToken, tokenHash } from "../security/tokens";
import { beginAttempt, retryMessage } from "./throttle";
import { normaliseEmail, type AppUser } from "./users";

export const INVITE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * The origin an invite link starts with: PUBLIC_URL when set (behind a proxy that rewrites Host,
 * the request's own host is the proxy's view, not the address people use), else this site as the
 * admin reached it, so the link works from where they copy it.
 */
export function inviteOrigin(publicUrl: string | undefined, headers: Pick<Headers, "get">): string {
  if (publicUrl) return new URL(publicUrl).origin;
  const host = headers.get("host") ?? "localhost";
  const proto = headers.get("x-forwarded-proto")?.split(",")[0]?.trim() === "https" ? "https" : "http";
  return `${proto}://${host}`;
}

export class InviteError extends Error {
  override name = "InviteError";
}

const INVITE_INVALID = "This invite link is invalid, expired or already used.";

const pending = (now: Date) => and(isNull(invites.acceptedAt), isNull(invites.revokedAt), gt(invites.expiresAt, now));

/** Creates a single-use invite. The token is returned once, for the link, and stored only as a hash. */
export async function createInvite(
  db: Database,
  input: { email: string; role: Role; workspaceIds: string[]; createdBy: string },
): Promise<{ token: string; id: string; expiresAt: Date }> {
  const email = normaliseEmail(input.email);
  const [existing] = await db.select({ id: users.id }).from(users).where(eq(users.email, email));
  if (existing) throw new InviteError("A member with this email already exists.");
  const token = randomToken(32);
  const expiresAt = new Date(Date.now() + INVITE_TTL_MS);
  const [row] = await db
    .insert(invites)
    .values({
      email,
      role: input.role,
      workspaceIds: input.workspaceIds,
      tokenHash: tokenHash(token),
      createdBy: input.createdBy,
      expiresAt,
    })
    .returning({ id: invites.id });
  return { token, id: row!.id, expiresAt };
}

export async function findPendingInvite(db: Database, token: string) {
  const [row] = await db
    .select({ id: invites.id, email: invites.email, role: invites.role, expiresAt: invites.expiresAt })
    .from(invites)
    .where(and(eq(invites.tokenHash, tokenHash(token)), pending(new Date())));
  return row ?? null;
}

export async function findPendingInviteByEmail(db: Database, email: string) {
  const [row] = await db
    .select({ id: invites.id })
    .from(invites)
    .where(and(eq(invites.email, normaliseEmail(email)), pending(new Date())));
  return row ?? null;
}

export async function listPendingInvites(db: Database) {
  return db
    .select({
      id: invites.id,
      email: invites.email,
      role: invites.role,
      workspaceIds: invites.workspaceIds,
      createdAt: invites.createdAt,
      expiresAt: invites.expiresAt,
    })
    .from(invites)
    .where(pending(new Date()))
    .orderBy(asc(invites.email));
}

export async function revokeInvite(db: Database, id: string): Promise<string | null> {
  const [row] = await db
    .update(invites)
    .set({ revokedAt: new Date() })
    .where(and(eq(invites.id, id), pending(new Date())))
    .returning({ email: invites.email });
  return row?.email ?? null;
}

/**
 * Turns a pending invite into a member with the invited role and workspaces, exactly once: the
 * invite row is claimed inside the transaction, so a second use of the link fails.
 */
export async function acceptInvite(
  db: Database,
  by: { token: string } | { id: string },
  input: { name: string; password: string | null },
  audit: { request: RequestInfo | null; via: "password" | "oidc" } = { request: null, via: "password" },
): Promise<AppUser> {
  // The token first: a wrong one costs no scrypt run. (The claim below checks it again, atomically.)
  if ("token" in by && !(await findPendingInvite(db, by.token))) throw new InviteError(INVITE_INVALID);
  const passwordHash = input.password ? await hashPassword(input.password) : null;
  return db.transaction(async (tx) => {
    const match = "token" in by ? eq(invites.tokenHash, tokenHash(by.token)) : eq(invites.id, by.id);
    const [invite] = await tx
      .update(invites)
      .set({ acceptedAt: new Date() })
      .where(and(match, pending(new Date())))
      .returning();
    if (!invite) throw new InviteError(INVITE_INVALID);
    const [user] = await tx
      .insert(users)
      .values({ email: invite.email, name: input.name.trim(), role: invite.role, passwordHash })
      .onConflictDoNothing()
      .returning({ id: users.id, email: users.email, name: users.name, role: users.role });
    if (!user) throw new InviteError("A member with this email already exists.");
    if (invite.workspaceIds.length) {
      await tx
        .insert(workspaceAccess)
        .values(invite.workspaceIds.map((workspaceId) => ({ userId: user.id, workspaceId })))
        .onConflictDoNothing();
    }
    const member = { ...user, disabled: false };
    // In the same transaction: the new member and their access exist only with their audit entry.
    await recordAudit(tx, {
      actor: member,
      action: "invite.accepted",
      target: member.email,
      ...(audit.via === "oidc" ? { detail: { via: "oidc" } } : {}),
      request: audit.request,
    });
    return member;
  });
}

/**
 * The invite form: throttled per client address like a sign-in (lib/auth/throttle.ts), the token
 * checked before the password is looked at or hashed, then the invite accepted.
 */
export async function acceptInviteWithPassword(
  db: Database,
  token: string,
  input: { name: string; password: string },
  request: RequestInfo | null,
): Promise<{ ok: true; user: AppUser } | { ok: false; error: string }> {
  const attempt = await beginAttempt(db, { account: null, address: request?.ip ?? null, form: "invite" });
  if (!attempt.allowed) return { ok: false, error: `Too many attempts. ${retryMessage(attempt.retryAfterMs)}` };
  if (!(await findPendingInvite(db, token))) return { ok: false, error: INVITE_INVALID };
  await attempt.succeeded();
  const problem = passwordProblem(input.password);
  if (problem) return { ok: false, error: problem };
  try {
    return { ok: true, user: await acceptInvite(db, { token }, input, { request, via: "password" }) };
  } catch (error) {
    if (error instanceof InviteError) return { ok: false, error: error.message };
    throw error;
  }
}
