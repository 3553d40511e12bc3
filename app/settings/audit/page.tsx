import type { Metadata } from "next";
import { Suspense } from "react";

import { Pagination } from "@/components/data-table/pagination";
import { AuditTable } from "@/components/settings/audit-table";
import { EmptyState } from "@/components/settings/empty-state";
import { SectionHeading } from "@/components/settings/section-heading";
import { Skeleton } from "@/components/ui/skeleton";
import { listAudit } from "@/lib/audit";
import { requirePermission } from "@/lib/auth/guards";
import { getDb } from "@/lib/db";
import { requestLocale } from "@/lib/locale-server";

import { AUDIT_PAGE_SIZE, auditPageHref, parseAuditPage } from "./search-params";

export const metadata: Metadata = { title: "Audit log" };

interface Props {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export default async function AuditPage({ searchParams }: Props) {
  await requirePermission("audit.read");
  const page = parseAuditPage(await searchParams);
  return (
    <section aria-labelledby="audit-heading" className="flex flex-col gap-4">
      <SectionHeading
        id="audit-heading"
        title="Audit log"
        description="Sign-ins, member and invite changes, and workspace changes, newest first. Times are in your time zone; hover for UTC."
      />
      {/* Keyed by page so moving between pages shows the skeleton, not the previous rows. */}
      <Suspense key={page} fallback={<AuditSkeleton />}>
        <AuditData page={page} />
      </Suspense>
    </section>
  );
}

async function AuditData({ page }: { page: number }) {
  const { rows, total } = await listAudit(await getDb(), page, AUDIT_PAGE_SIZE);
  if (total === 0) {
    return (
      <EmptyState title="Nothing recorded yet" testId="no-audit-events">
        Sign-ins, invites, role and access changes, and workspace changes appear here as they happen. Start by inviting a member or adding a
        workspace.
      </EmptyState>
    );
  }
  return (
    <>
      {rows.length ? <AuditTable rows={rows} /> : null}
      <Pagination
        page={page}
        pageSize={AUDIT_PAGE_SIZE}
        total={total}
        hrefFor={auditPageHref}
        label="Audit log pages"
        locale={await requestLocale()}
        unit="events"
        rangeTestId="audit-range"
        prevText="Newer"
        nextText="Older"
      />
    </>
  );
}

function AuditSkeleton() {
  return (
    <div className="flex flex-col gap-2" role="status">
      <span className="sr-only">Loading audit events…</span>
      {Array.from({ length: 8 }, (_, i) => (
        <Skeleton key={i} className="h-8 w-full" />
      ))}
    </div>
  );
}
