import "server-only";
import { eq } from "drizzle-orm";
import type { Database } from "../db";
import { appState, users } from "../db/schema";
import { hashPassword } from "../security/password";
import { randomToken, tokenHash } from "../security/tokens";
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
): Promise<AppUser | null> {
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
    return { ...user!, disabled: false };
  });
}
