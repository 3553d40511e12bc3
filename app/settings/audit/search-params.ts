import { z } from "zod";

export const AUDIT_PAGE_SIZE = 50;

const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);

// A malformed or missing ?page= falls back to page 1 instead of failing the page.
const auditView = z.object({
  page: z.preprocess(first, z.coerce.number().int().min(1).max(1_000_000).catch(1)),
});

export function parseAuditPage(params: Record<string, string | string[] | undefined>): number {
  return auditView.parse(params).page;
}

export const auditPageHref = (page: number) => (page > 1 ? `/settings/audit?page=${page}` : "/settings/audit");
