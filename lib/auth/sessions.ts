import "server-only";
import { and, eq, gt, lt, ne } from "drizzle-orm";
import type { Database } from "../db";
import { sessions, users } from "../db/schema";
import type { RequestInfo } from "../audit";
import { randomToken } from "../security/tokens";
import type { AppUser } from "./users";

export const SESSION_MAX_AGE_S = 30 * 24 * 60 * 60;
// Refresh last_seen_at at most this often, so a page view is not a write every time.
const TOUCH_EVERY_MS = 5 * 60 * 1000;

export async function createSession(db: Database, userId: string, request: RequestInfo | null): Promise<string> {
  const id = randomToken(32);
  await db.insert(sessions).values({
    id,
    userId,
    expiresAt: new Date(Date.now() + SESSION_MAX_AGE_S * 1000),
    ip: request?.ip ?? null,
    userAgent: request?.userAgent?.slice(0, 300) ?? null,
  });
  return id;
}

/** The user behind a live session, or null when it was revoked, expired, or the user is disabled. */
export async function resolveSession(db: Database, sessionId: string): Promise<AppUser | null> {
  const now = new Date();
  const [row] = await db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      disabledAt: users.disabledAt,
      lastSeenAt: sessions.lastSeenAt,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, sessionId), gt(sessions.expiresAt, now)));
  if (!row || row.disabledAt) return null;
  if (now.getTime() - row.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, sessionId));
  }
  return { id: row.id, email: row.email, name: row.name, role: row.role, disabled: false };
}

export async function deleteSession(db: Database, sessionId: string) {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
}

/** "Sign out everywhere": every session of the user, optionally keeping the current one. */
export async function deleteUserSessions(db: Database, userId: string, keep?: string) {
  await db
    .delete(sessions)
    .where(keep ? and(eq(sessions.userId, userId), ne(sessions.id, keep)) : eq(sessions.userId, userId));
}

export async function deleteExpiredSessions(db: Database) {
  await db.delete(sessions).where(lt(sessions.expiresAt, new Date()));
}
