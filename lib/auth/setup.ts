import "server-only";

import { eq } from "drizzle-orm";

import { recordAudit, type RequestInfo } from "../audit";
import type { Database } from "../db";
import { appState, users } from "../db/schema";
import { hashPassword, passwordProblem } from "../security/password";
import { randomToken, tokenHash } from "../security/tokens";
import { beginAttempt, retryMessage } from "./throttle";
import { countUsers, normaliseEmail, type AppUser } from "./users";

const KEY = "setup_token_hash";

/**
 * While no user exists, /setup creates the first admin. It is guarded by a one-time token that
 * only the server log shows; a new one is issued at every start until setup is done.
 */
export async function issueSetupToken(db: Database): Promise<string | null> {
  if ((await countUsers(db)) > 0) return null;
  const token = randomToken(24);
  await db
    .insert(appState)
    .values({ key: KEY, value: tokenHash(token) })
    .onConflictDoUpdate({ target: appState.key, set: { value: tokenHash(token), updatedAt: new Date() } });
  return token;
}

export async function setupOpen(db: Database): Promise<boolean> {
  return (await countUsers(db)) === 0;
}

export async function checkSetupToken(db: Database, token: string): Promise<boolean> {
  const [row] = await db.select().from(appState).where(eq(appState.key, KEY));
  return !!row && row.value === tokenHash(token);
}

/** Creates the first admin if, inside the same transaction, there is still no user. */
export async function completeSetup(
  db: Database,
  token: string,
  input: { email: string; name: string; password: string },
  request: RequestInfo | null = null,
): Promise<AppUser | null> {
  // The token first: without it nothing is hashed (scrypt is the expensive part).
  if (!(await checkSetupToken(db, token))) return null;
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    const [state] = await tx.select().from(appState).where(eq(appState.key, KEY)).for("update");
    if (!state || state.value !== tokenHash(token)) return null;
    const [existing] = await tx.select({ id: users.id }).from(users).limit(1);
    if (existing) return null;
    const [user] = await tx
      .insert(users)
      .values({ email: normaliseEmail(input.email), name: input.name.trim(), role: "admin", passwordHash })
      .returning({ id: users.id, email: users.email, name: users.name, role: users.role });
    await tx.delete(appState).where(eq(appState.key, KEY));
    const admin = { ...user!, disabled: false };
    // In the same transaction: no first admin exists unaudited.
    await recordAudit(tx, { actor: admin, action: "setup.admin_created", target: admin.email, request });
    return admin;
  });
}

export const SETUP_LINK_INVALID = "This setup link is not valid (or setup is already done). Use the newest link from the server log.";

/**
 * The setup form: throttled per client address like a sign-in (lib/auth/throttle.ts), the token
 * checked before the password is looked at or hashed, then the first admin created.
 */
export async function setupFirstAdmin(
  db: Database,
  token: string,
  input: { email: string; name: string; password: string },
  request: RequestInfo | null,
): Promise<{ ok: true; admin: AppUser } | { ok: false; error: string }> {
  const attempt = await beginAttempt(db, { account: null, address: request?.ip ?? null, form: "setup" });
  if (!attempt.allowed) return { ok: false, error: `Too many attempts. ${retryMessage(attempt.retryAfterMs)}` };
  if (!(await checkSetupToken(db, token))) return { ok: false, error: SETUP_LINK_INVALID };
  await attempt.succeeded();
  const problem = passwordProblem(input.password);
  if (problem) return { ok: false, error: problem };
  const admin = await completeSetup(db, token, input, request);
  return admin ? { ok: true, admin } : { ok: false, error: SETUP_LINK_INVALID };
}
