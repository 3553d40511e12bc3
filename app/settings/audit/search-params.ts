import { AUDIT_ACTIONS } from "@/components/settings/audit-labels";
import { defineUrlState, param, type ViewOf } from "@/lib/url-state";

export const AUDIT_PAGE_SIZE = 50;

/** Time ranges the filter offers, newest first; "" is all time. */
export const AUDIT_RANGES = ["", "24h", "7d", "30d", "90d"] as const;
export type AuditRange = (typeof AUDIT_RANGES)[number];
export const AUDIT_RANGE_LABELS: Record<AuditRange, string> = {
  "": "All time",
  "24h": "Last 24 hours",
  "7d": "Last 7 days",
  "30d": "Last 30 days",
  "90d": "Last 90 days",
};
const RANGE_MS: Record<Exclude<AuditRange, "">, number> = {
  "24h": 24 * 3_600_000,
  "7d": 7 * 86_400_000,
  "30d": 30 * 86_400_000,
  "90d": 90 * 86_400_000,
};

// The audit page's URL state, declared once: filters by action, person (email, part of one) and
// time range, and the page. A malformed value reads as its default instead of failing the page.
export const auditUrl = defineUrlState({
  action: param.oneOf(["", ...AUDIT_ACTIONS]),
  who: param.text({ max: 320 }),
  range: param.oneOf(AUDIT_RANGES),
  page: param.page(),
});
export type AuditView = ViewOf<typeof auditUrl.fields>;

export function parseAuditView(params: Record<string, string | string[] | undefined>): AuditView {
  return auditUrl.parse(params);
}

export function parseAuditPage(params: Record<string, string | string[] | undefined>): number {
  return auditUrl.parse(params).page;
}

/** The page's link for a view: the filters kept, defaults left out. */
export const auditHref = (view: Partial<AuditView>) => `/settings/audit${auditUrl.serialize(view)}`;

export const auditPageHref = (page: number, view: Partial<AuditView> = {}) => auditHref({ ...view, page });

/** The start of the range, from `now`; null for all time. */
export function rangeStart(range: AuditRange, now = Date.now()): Date | null {
  return range ? new Date(now - RANGE_MS[range]) : null;
}
