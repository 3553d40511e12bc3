import "server-only";

import { and, eq, gt, lt, ne, or } from "drizzle-orm";

import type { RequestInfo } from "../audit";
import type { Database } from "../db";
import { sessions, users } from "../db/schema";
import { env } from "../env";
import { randomToken } from "../security/tokens";
import type { AppUser } from "./users";

// Each signed-in browser is a row in `sessions`; the cookie is an encrypted JWT that names the row
// (see lib/auth/config.ts). Every request re-reads the row, so all the limits below are enforced
// on the server, whatever the cookie's own expiry says.

export interface SessionLimits {
  /** A session with no request for this long ends. */
  idleMs: number;
  /** A session ends this long after its sign-in, however busy. */
  maxMs: number;
}

export const sessionLimits = (): SessionLimits => ({
  idleMs: env.SESSION_IDLE_HOURS * 60 * 60 * 1000,
  maxMs: env.SESSION_MAX_DAYS * 24 * 60 * 60 * 1000,
});

/** The cookie's own lifetime: never longer than the session row can live. */
export const SESSION_MAX_AGE_S = env.SESSION_MAX_DAYS * 24 * 60 * 60;

// Refresh last_seen_at at most this often, so a page view is not a write every time.
export const TOUCH_EVERY_MS = 5 * 60 * 1000;

export async function createSession(
  db: Database,
  userId: string,
  request: RequestInfo | null,
  { now = new Date(), limits = sessionLimits() }: { now?: Date; limits?: SessionLimits } = {},
): Promise<string> {
  const id = randomToken(32);
  await db.insert(sessions).values({
    id,
    userId,
    createdAt: now,
    lastSeenAt: now,
    confirmedAt: now,
    expiresAt: new Date(now.getTime() + limits.maxMs),
    ip: request?.ip ?? null,
    userAgent: request?.userAgent?.slice(0, 300) ?? null,
  });
  return id;
}

/**
 * The conditions under which a session row is live at `now`:
 * - absolute: before expires_at (set at sign-in) and within maxMs of created_at (so lowering
 *   SESSION_MAX_DAYS also shortens sessions that already exist);
 * - idle: last_seen_at within idleMs. last_seen_at is written at most every TOUCH_EVERY_MS, so it
 *   may lag the last request by up to 5 minutes: a session therefore ends between idleMs - 5 min
 *   and idleMs after its last request, never later than the setting.
 */
function live(now: Date, limits: SessionLimits) {
  return and(
    gt(sessions.expiresAt, now),
    gt(sessions.createdAt, new Date(now.getTime() - limits.maxMs)),
    gt(sessions.lastSeenAt, new Date(now.getTime() - limits.idleMs)),
  );
}

/** The user behind a live session, or null when it was revoked, expired, idle, or the user is disabled. */
export async function resolveSession(
  db: Database,
  sessionId: string,
  { now = new Date(), limits = sessionLimits() }: { now?: Date; limits?: SessionLimits } = {},
): Promise<AppUser | null> {
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
    .where(and(eq(sessions.id, sessionId), live(now, limits)));
  if (!row || row.disabledAt) return null;
  if (now.getTime() - row.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, sessionId));
  }
  return { id: row.id, email: row.email, name: row.name, role: row.role, disabled: false };
}

/** When this session last proved its user (sign-in or confirmation); null for no such session. */
export async function sessionConfirmedAt(db: Database, sessionId: string): Promise<Date | null> {
  const [row] = await db.select({ at: sessions.confirmedAt }).from(sessions).where(eq(sessions.id, sessionId));
  return row?.at ?? null;
}

/** Records a fresh proof (password re-entered, or a new OIDC sign-in) on this session. */
export async function confirmSession(db: Database, sessionId: string, now = new Date()) {
  await db.update(sessions).set({ confirmedAt: now }).where(eq(sessions.id, sessionId));
}

/** The account page's "Link <provider> sign-in": this session's next OIDC sign-in links, for 10 minutes. */
export const OIDC_LINK_WINDOW_MS = 10 * 60 * 1000;

export async function requestOidcLink(db: Database, sessionId: string, now = new Date()) {
  await db.update(sessions).set({ oidcLinkRequestedAt: now }).where(eq(sessions.id, sessionId));
}

/**
 * Takes (once) a pending link request of this session: the user to link the OIDC identity to, or
 * null when the session has none, it is older than the window, or the session is not live.
 */
export async function takeOidcLinkRequest(db: Database, sessionId: string, now = new Date()): Promise<AppUser | null> {
  const [row] = await db
    .update(sessions)
    .set({ oidcLinkRequestedAt: null })
    .where(and(eq(sessions.id, sessionId), gt(sessions.oidcLinkRequestedAt, new Date(now.getTime() - OIDC_LINK_WINDOW_MS))))
    .returning({ id: sessions.id });
  return row ? resolveSession(db, row.id, { now }) : null;
}

export async function deleteSession(db: Database, sessionId: string) {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
}

/** "Sign out everywhere": every session of the user, optionally keeping the current one. */
export async function deleteUserSessions(db: Database, userId: string, keep?: string) {
  await db.delete(sessions).where(keep ? and(eq(sessions.userId, userId), ne(sessions.id, keep)) : eq(sessions.userId, userId));
}

/** Removes the rows of sessions that can no longer be used (expired, too old, or idle). */
export async function deleteExpiredSessions(db: Database, { now = new Date(), limits = sessionLimits() } = {}) {
  await db
    .delete(sessions)
    .where(
      or(
        lt(sessions.expiresAt, now),
        lt(sessions.createdAt, new Date(now.getTime() - limits.maxMs)),
        lt(sessions.lastSeenAt, new Date(now.getTime() - limits.idleMs)),
      ),
    );
}
