import type { AuditAction } from "@/lib/audit";

// What the audit log shows for each recorded action code (the code stays in the database and in
// the row's title, for searching logs). Client-safe: the filter menu lists these too.
export const AUDIT_ACTION_LABELS = {
  "auth.sign_in": "Signed in",
  "auth.sign_in_failed": "Sign-in failed",
  "auth.sign_in_throttled": "Sign-in delayed (too many attempts)",
  "auth.sign_out": "Signed out",
  "auth.sign_out_everywhere": "Signed out everywhere",
  "auth.password_changed": "Changed password",
  "auth.oidc_linked": "Linked single sign-on",
  "auth.oidc_refused": "Single sign-on refused",
  "auth.oidc_link_refused": "Single sign-on link refused",
  "auth.sign_in_confirmed": "Confirmed sign-in",
  "auth.sign_in_confirm_failed": "Sign-in confirmation failed",
  "setup.admin_created": "Created the first admin",
  "user.created": "Account created",
  "user.role_changed": "Changed role",
  "user.disabled": "Disabled account",
  "user.enabled": "Re-enabled account",
  "invite.created": "Invited",
  "invite.accepted": "Accepted invite",
  "invite.revoked": "Revoked invite",
  "access.granted": "Gave workspace access",
  "access.revoked": "Removed workspace access",
  "access.permissions_changed": "Changed workspace permissions",
  "workspace.created": "Added workspace",
  "workspace.updated": "Edited workspace",
  "workspace.tested": "Tested connection",
  "workspace.removed": "Removed workspace",
  "audit.retention_changed": "Changed audit retention",
  "notification.channel_added": "Added notification channel",
  "notification.channel_removed": "Removed notification channel",
  "notification.test_sent": "Sent test notification",
  "batch.renamed": "Renamed batch",
  "batch.removed": "Removed batch from the list",
  "batch.started": "Started batch",
  "batch.start_failed": "Batch start failed",
  "batch.start_unknown": "Batch start outcome unknown",
  "batch.cancelled": "Cancelled batch",
  "batch.cancel_failed": "Cancel failed",
  "batch.cancel_unknown": "Cancel outcome unknown",
  "export.completed": "Exported",
  "export.failed": "Export failed",
} as const satisfies Record<AuditAction, string>;

export const AUDIT_ACTIONS = Object.keys(AUDIT_ACTION_LABELS) as AuditAction[];

/** The label of a recorded code; an unknown (older or newer) code is shown as it is. */
export function auditActionLabel(action: string): string {
  return (AUDIT_ACTION_LABELS as Record<string, string>)[action] ?? action;
}

// Values of detail keys that are codes: shown as words.
const VALUE_LABELS: Record<string, string> = {
  valid: "accepted",
  rejected: "rejected",
  unreachable: "unreachable",
  blocked: "blocked (URL not allowed)",
  wrong_password: "wrong password",
  unknown_email: "unknown email",
  disabled: "account disabled",
  link_required: "link required",
  not_admitted: "not admitted",
  identity_taken: "identity used by another account",
  unverified: "email not verified",
  invalid: "incomplete answer",
};

// Detail keys as words, for the ones people read most.
const KEY_LABELS: Record<string, string> = {
  verdict: "result",
  from: "from",
  to: "to",
  role: "role",
  workspace: "workspace",
  workspaces: "workspaces",
  permissions: "permissions",
  reason: "reason",
  method: "method",
  days: "days",
  previous: "before",
};

function formatValue(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "string") return VALUE_LABELS[value] ?? (value === "" ? '""' : value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return value.length ? value.map(formatValue).join(", ") : "none";
  return JSON.stringify(value);
}

/**
 * An event's detail as a short line for people: the verdict of a connection test reads
 * "rejected", not `verdict=rejected`; other keys read "role: member · workspaces: sales, support".
 */
export function humanAuditDetail(detail: Record<string, unknown> | null | undefined): string {
  if (!detail) return "";
  const entries = Object.entries(detail);
  if (entries.length === 1 && entries[0]![0] === "verdict") return formatValue(entries[0]![1]);
  return entries.map(([key, value]) => `${KEY_LABELS[key] ?? key}: ${formatValue(value)}`).join(" · ");
}

const LOOPBACK = new Set(["::1", "127.0.0.1", "::ffff:127.0.0.1"]);

/** Where an event came from: "This computer (::1)" for a loopback address, else the address. */
export function auditFromLabel(ip: string | null): string | null {
  if (!ip) return null;
  return LOOPBACK.has(ip) ? `This computer (${ip})` : ip;
}
