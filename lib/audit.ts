import "server-only";

import { and, asc, count, desc, eq, gte, ilike, isNotNull, lt, type SQL } from "drizzle-orm";

import type { Database } from "./db";
import { appState, auditEvents } from "./db/schema";

export interface Actor {
  id: string | null;
  email: string | null;
}

export interface RequestInfo {
  ip: string | null;
  userAgent: string | null;
}

export type AuditAction =
  | "auth.sign_in"
  | "auth.sign_in_failed"
  | "auth.sign_in_throttled"
  | "auth.sign_out"
  | "auth.sign_out_everywhere"
  | "auth.password_changed"
  | "auth.oidc_linked"
  | "auth.oidc_refused"
  | "auth.oidc_link_refused"
  | "auth.sign_in_confirmed"
  | "auth.sign_in_confirm_failed"
  | "setup.admin_created"
  | "user.created"
  | "user.role_changed"
  | "user.disabled"
  | "user.enabled"
  | "invite.created"
  | "invite.accepted"
  | "invite.revoked"
  | "access.granted"
  | "access.revoked"
  | "access.permissions_changed"
  | "workspace.created"
  | "workspace.updated"
  | "workspace.tested"
  | "workspace.removed"
  | "audit.retention_changed"
  | "notification.channel_added"
  | "notification.channel_removed"
  | "notification.test_sent"
  | "batch.renamed"
  | "batch.removed"
  | "batch.started"
  | "batch.start_failed"
  | "batch.start_unknown"
  | "batch.cancelled"
  | "batch.cancel_failed"
  | "batch.cancel_unknown"
  | "export.completed"
  | "export.failed";

export interface AuditInput {
  actor: Actor | null;
  action: AuditAction;
  target?: string | null;
  /** Never a secret: callers pass ids, emails, roles and outcomes only. */
  detail?: Record<string, unknown>;
  request?: RequestInfo | null;
}

// The audit keeps what a request carried, hostile text included (a refused export's batch ID and
// query). PostgreSQL refuses a NUL in text and jsonb, and a lone surrogate in jsonb: control
// characters are written as visible escapes ("\u0000") and broken UTF-16 as U+FFFD.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

function storable(value: string): string {
  return value.toWellFormed().replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function storableDeep(value: unknown): unknown {
  if (typeof value === "string") return storable(value);
  if (Array.isArray(value)) return value.map(storableDeep);
  if (value && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storable(k), storableDeep(v)]));
  }
  return value;
}

/** A transaction (`db.transaction(async (tx) => ...)`): an audit entry is written only inside one. */
export type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];

/**
 * Records an audit entry in the transaction of the change it records: if the entry cannot be
 * written, the transaction (and the change) rolls back, so nothing changes unaudited.
 */
export async function recordAudit(tx: Tx, event: AuditInput): Promise<void> {
  await tx.insert(auditEvents).values({
    actorId: event.actor?.id ?? null,
    actorEmail: event.actor?.email ?? null,
    action: event.action,
    target: event.target == null ? null : storable(event.target),
    detail: storableDeep(event.detail ?? {}) as Record<string, unknown>,
    ip: event.request?.ip ?? null,
    userAgent: event.request?.userAgent == null ? null : storable(event.request.userAgent.slice(0, 300)),
  });
}

/** An event that changes nothing else (a refused sign-in, an export, a test): its own transaction. */
export async function recordAuditEvent(db: Database, event: AuditInput): Promise<void> {
  await db.transaction((tx) => recordAudit(tx, event));
}

export interface AuditFilter {
  /** One action code, exactly. */
  action?: string;
  /** Part of the actor's email (case-insensitive). */
  who?: string;
  /** Entries at or after this time. */
  since?: Date | null;
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function listAudit(db: Database, page: number, limit: number, filter: AuditFilter = {}) {
  const conditions: SQL[] = [];
  if (filter.action) conditions.push(eq(auditEvents.action, filter.action));
  if (filter.who) conditions.push(ilike(auditEvents.actorEmail, `%${escapeLike(filter.who)}%`));
  if (filter.since) conditions.push(gte(auditEvents.at, filter.since));
  const where = conditions.length ? and(...conditions) : undefined;
  const [rows, [total]] = await Promise.all([
    db
      .select()
      .from(auditEvents)
      .where(where)
      .orderBy(desc(auditEvents.at), desc(auditEvents.id))
      .limit(limit)
      .offset((page - 1) * limit),
    db.select({ n: count() }).from(auditEvents).where(where),
  ]);
  return { rows, total: total?.n ?? 0 };
}

/** The people who appear in the log, for the filter's suggestions (at most 200, by email). */
export async function auditActors(db: Database): Promise<string[]> {
  const rows = await db
    .selectDistinct({ email: auditEvents.actorEmail })
    .from(auditEvents)
    .where(isNotNull(auditEvents.actorEmail))
    .orderBy(asc(auditEvents.actorEmail))
    .limit(200);
  return rows.map((r) => r.email!);
}

// Retention: how long entries are kept. Admins choose it on the audit page; "forever" (null) is the
// default. Stored in app_state; expired entries are purged at start-up and hourly (lib/startup.ts).
export const AUDIT_RETENTION_CHOICES = [90, 180, 365, null] as const;
export type AuditRetention = (typeof AUDIT_RETENTION_CHOICES)[number];
const RETENTION_KEY = "audit.retention_days";

export async function auditRetention(db: Database): Promise<AuditRetention> {
  const [row] = await db.select({ value: appState.value }).from(appState).where(eq(appState.key, RETENTION_KEY));
  const days = row ? Number(row.value) : NaN;
  return (AUDIT_RETENTION_CHOICES as readonly (number | null)[]).includes(days) ? (days as AuditRetention) : null;
}

/** Sets the retention (in the caller's transaction, with its audit entry). */
export async function setAuditRetention(tx: Tx, days: AuditRetention): Promise<void> {
  if (days === null) {
    await tx.delete(appState).where(eq(appState.key, RETENTION_KEY));
    return;
  }
  await tx
    .insert(appState)
    .values({ key: RETENTION_KEY, value: String(days) })
    .onConflictDoUpdate({ target: appState.key, set: { value: String(days), updatedAt: new Date() } });
}

/** Deletes the entries older than the retention; returns how many. Kept forever: none. */
export async function purgeExpiredAudit(db: Database, now = new Date()): Promise<number> {
  const days = await auditRetention(db);
  if (days === null) return 0;
  const cutoff = new Date(now.getTime() - days * 86_400_000);
  const deleted = await db.delete(auditEvents).where(lt(auditEvents.at, cutoff)).returning({ id: auditEvents.id });
  return deleted.length;
}
