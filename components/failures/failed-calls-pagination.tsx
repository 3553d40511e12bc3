import { ChevronLeftIcon, ChevronRightIcon } from "lucide-react";

import { formatCount } from "@/components/batches/format";
import { PageLink } from "@/components/data-table/page-link";

interface Props {
  page: number;
  pageSize: number;
  total: number;
  hrefFor: (page: number) => string;
}

export function FailedCallsPagination({ page, pageSize, total, hrefFor }: Props) {
  const totalPages = Math.max(1, Math.ceil(total / pageSize));
  const from = Math.min(total, (page - 1) * pageSize + 1);
  const to = Math.min(total, page * pageSize);
  return (
    <div className="flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
      <p className="text-sm text-muted-foreground tabular-nums" data-testid="failed-calls-range">
        {page > totalPages
          ? `Page ${formatCount(page)} is past the last page.`
          : `${formatCount(from)}–${formatCount(to)} of ${formatCount(total)}`}
      </p>
      <nav aria-label="Pages of failed calls" className="flex items-center gap-1">
        <PageLink href={page > 1 ? hrefFor(Math.min(page - 1, totalPages)) : null} label="Previous page" scroll={false}>
          <ChevronLeftIcon aria-hidden="true" />
        </PageLink>
        <span className="px-2 text-sm tabular-nums">
          Page {formatCount(page)} of {formatCount(totalPages)}
        </span>
        <PageLink href={page < totalPages ? hrefFor(page + 1) : null} label="Next page" scroll={false}>
          <ChevronRightIcon aria-hidden="true" />
        </PageLink>
      </nav>
    </div>
  );
}
