import { ChevronLeftIcon, ChevronRightIcon } from "lucide-react";
import Link from "next/link";

import { formatCount } from "@/components/batches/format";
import { PageLink } from "@/components/data-table/page-link";

interface Props {
  page: number;
  pageSize: number;
  total: number;
  href: (page: number) => string;
}

export function AuditPagination({ page, pageSize, total, href }: Props) {
  const totalPages = Math.max(1, Math.ceil(total / pageSize));
  const from = (page - 1) * pageSize + 1;
  const to = Math.min(total, page * pageSize);
  if (from > total) {
    return (
      <p className="text-sm text-muted-foreground" data-testid="audit-range">
        Page {formatCount(page)} is past the end of the log ({formatCount(totalPages)} {totalPages === 1 ? "page" : "pages"}).{" "}
        <Link href={href(totalPages)} className="font-medium text-foreground underline underline-offset-4">
          Go to the last page
        </Link>
      </p>
    );
  }
  return (
    <div className="flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
      <p className="text-sm text-muted-foreground tabular-nums" data-testid="audit-range">
        {formatCount(from)}–{formatCount(to)} of {formatCount(total)} events
      </p>
      <nav aria-label="Audit log pages" className="flex items-center gap-1">
        <PageLink href={page > 1 ? href(page - 1) : null} rel="prev" size="sm">
          <ChevronLeftIcon aria-hidden="true" />
          Newer
        </PageLink>
        <span className="px-2 text-sm tabular-nums">
          Page {formatCount(page)} of {formatCount(totalPages)}
        </span>
        <PageLink href={page < totalPages ? href(page + 1) : null} rel="next" size="sm">
          Older
          <ChevronRightIcon aria-hidden="true" />
        </PageLink>
      </nav>
    </div>
  );
}
