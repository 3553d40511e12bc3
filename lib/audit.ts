import "server-only";
import { count, desc } from "drizzle-orm";
import type { Database } from "./db";
import { auditEvents } from "./db/schema";

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
  | "workspace.created"
  | "workspace.updated"
  | "workspace.tested"
  | "batch.renamed"
  | "batch.removed"
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

export async function recordAudit(db: Database, event: AuditInput): Promise<void> {
  await db.insert(auditEvents).values({
    actorId: event.actor?.id ?? null,
    actorEmail: event.actor?.email ?? null,
    action: event.action,
    target: event.target ?? null,
    detail: event.detail ?? {},
    ip: event.request?.ip ?? null,
    userAgent: event.request?.userAgent?.slice(0, 300) ?? null,
  });
}

export async function listAudit(db: Database, page: number, limit: number) {
  const [rows, [total]] = await Promise.all([
    db
      .select()
      .from(auditEvents)
      .orderBy(desc(auditEvents.at), desc(auditEvents.id))
      .limit(limit)
      .offset((page - 1) * limit),
    db.select({ n: count() }).from(auditEvents),
  ]);
  return { rows, total: total?.n ?? 0 };
}
