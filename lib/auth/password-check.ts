import "server-only";

import { and, eq } from "drizzle-orm";

import { recordAuditEvent, type RequestInfo } from "../audit";
import type { Database } from "../db";
import { users } from "../db/schema";
import { checkPassword, hashPassword } from "../security/password";
import { beginAttempt } from "./throttle";
import { findCredentials, normaliseEmail, type AppUser } from "./users";

// Every check of a password someone typed goes through here, so each one is throttled the same
// way (lib/auth/throttle.ts): the slot is taken BEFORE scrypt runs and given back on success.

export type PasswordSignIn =
  | { outcome: "ok"; user: AppUser }
  | { outcome: "failed"; reason: "unknown_email" | "disabled" | "wrong_password" }
  | { outcome: "throttled"; retryAfterMs: number };

/** Stores a hash with the current scrypt parameters, unless the password changed meanwhile. */
async function rehash(db: Database, userId: string, oldHash: string, password: string): Promise<void> {
  await db
    .update(users)
    .set({ passwordHash: await hashPassword(password) })
    .where(and(eq(users.id, userId), eq(users.passwordHash, oldHash)));
}

/** The password step of a sign-in: throttled, audited, rehashing an old-parameter hash on success. */
export async function checkPasswordSignIn(
  db: Database,
  rawEmail: string,
  password: string,
  request: RequestInfo | null,
): Promise<PasswordSignIn> {
  const email = normaliseEmail(rawEmail);
  const attempt = await beginAttempt(db, { account: email, address: request?.ip ?? null });
  if (!attempt.allowed) {
    await recordAuditEvent(db, { actor: { id: null, email }, action: "auth.sign_in_throttled", request });
    return { outcome: "throttled", retryAfterMs: attempt.retryAfterMs };
  }
  const found = await findCredentials(db, email);
  const check = await checkPassword(password, found?.passwordHash ?? null);
  if (!found || !check.ok || found.user.disabled) {
    const reason = !found ? "unknown_email" : found.user.disabled ? "disabled" : "wrong_password";
    await recordAuditEvent(db, {
      actor: { id: found?.user.id ?? null, email },
      action: "auth.sign_in_failed",
      detail: { reason },
      request,
    });
    return { outcome: "failed", reason };
  }
  await attempt.succeeded();
  if (check.needsRehash && found.passwordHash) await rehash(db, found.user.id, found.passwordHash, password);
  return { outcome: "ok", user: found.user };
}

export type CurrentPasswordCheck = { outcome: "ok" } | { outcome: "wrong" } | { outcome: "throttled"; retryAfterMs: number };

/** A signed-in user's current password (before a change): the same throttle as sign-in. */
export async function checkCurrentPassword(
  db: Database,
  user: AppUser,
  password: string,
  request: RequestInfo | null,
): Promise<CurrentPasswordCheck> {
  const attempt = await beginAttempt(db, { account: normaliseEmail(user.email), address: request?.ip ?? null });
  if (!attempt.allowed) return { outcome: "throttled", retryAfterMs: attempt.retryAfterMs };
  const found = await findCredentials(db, user.email);
  const check = await checkPassword(password, found?.passwordHash ?? null);
  if (!found || found.user.id !== user.id || !check.ok) return { outcome: "wrong" };
  await attempt.succeeded();
  return { outcome: "ok" };
}
