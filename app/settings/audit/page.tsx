import type { Metadata } from "next";
import { Suspense } from "react";

import { Pagination } from "@/components/data-table/pagination";
import { AuditFilters } from "@/components/settings/audit-filters";
import { AuditRetentionForm } from "@/components/settings/audit-retention-form";
import { AuditTable } from "@/components/settings/audit-table";
import { EmptyState } from "@/components/settings/empty-state";
import { SectionHeading } from "@/components/settings/section-heading";
import { Skeleton } from "@/components/ui/skeleton";
import { auditActors, auditRetention, listAudit } from "@/lib/audit";
import { requirePermission } from "@/lib/auth/guards";
import { getDb } from "@/lib/db";
import { requestLocale } from "@/lib/locale-server";

import { AUDIT_PAGE_SIZE, auditPageHref, auditUrl, parseAuditView, rangeStart, type AuditView } from "./search-params";

export const metadata: Metadata = { title: "Audit log" };

interface Props {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export default async function AuditPage({ searchParams }: Props) {
  await requirePermission("audit.read");
  const view = parseAuditView(await searchParams);
  const db = await getDb();
  const [actors, retention] = await Promise.all([auditActors(db), auditRetention(db)]);
  return (
    <section aria-labelledby="audit-heading" className="flex flex-col gap-4">
      <SectionHeading
        id="audit-heading"
        title="Audit log"
        description="Sign-ins, member and invite changes, and workspace changes, newest first. Times are in your time zone; hover for UTC."
      />
      <div className="flex flex-col gap-4 lg:flex-row lg:items-end lg:justify-between">
        <AuditFilters view={view} actors={actors} />
        <AuditRetentionForm days={retention} />
      </div>
      {/* Keyed by the view so a new page or filter shows the skeleton, not the previous rows. */}
      <Suspense key={auditUrl.serialize(view)} fallback={<AuditSkeleton />}>
        <AuditData view={view} />
      </Suspense>
    </section>
  );
}

async function AuditData({ view }: { view: AuditView }) {
  const { page } = view;
  const filtered = Boolean(view.action || view.who || view.range);
  const { rows, total } = await listAudit(await getDb(), page, AUDIT_PAGE_SIZE, {
    action: view.action,
    who: view.who,
    since: rangeStart(view.range),
  });
  if (total === 0 && filtered) {
    return (
      <EmptyState title="No entries match these filters" testId="no-audit-matches">
        Change or clear the filters above to see more of the log.
      </EmptyState>
    );
  }
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
        hrefFor={(n) => auditPageHref(n, view)}
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
