import { ChevronLeftIcon, ChevronRightIcon } from "lucide-react";
import Link from "next/link";

import { PageLink } from "@/components/data-table/page-link";
import { batchViewQuery, PAGE_SIZES, type BatchView } from "@/lib/batches/view-query";
import { cn } from "@/lib/utils";

import { formatCount } from "./format";

interface Props {
  basePath: string;
  view: BatchView;
  total: number;
  totalPages: number;
}

export function CallsPagination({ basePath, view, total, totalPages }: Props) {
  const from = total === 0 ? 0 : Math.min(total, (view.page - 1) * view.limit + 1);
  const to = Math.min(total, view.page * view.limit);
  const href = (v: Partial<BatchView>) => `${basePath}${batchViewQuery({ ...view, ...v })}`;
  const hasPrev = view.page > 1;
  const hasNext = view.page < totalPages;
  return (
    <div className="flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
      <p className="text-sm text-muted-foreground tabular-nums" data-testid="range">
        {from > to ? `Page ${view.page} is past the end` : `${formatCount(from)}–${formatCount(to)}`} of {formatCount(total)}
      </p>
      <div className="flex flex-wrap items-center gap-3">
        <nav aria-label="Rows per page" className="flex items-center gap-1 text-sm">
          <span className="text-muted-foreground">Rows</span>
          {PAGE_SIZES.map((size) => (
            <Link
              key={size}
              href={href({ limit: size, page: 1 })}
              aria-current={size === view.limit ? "true" : undefined}
              className={cn(
                "rounded-md px-2 py-1 tabular-nums focus-visible:ring-[3px] focus-visible:ring-ring/50 focus-visible:outline-none",
                size === view.limit ? "bg-muted font-medium" : "text-muted-foreground hover:text-foreground",
              )}
            >
              {size}
            </Link>
          ))}
        </nav>
        <nav aria-label="Pagination" className="flex items-center gap-1">
          <PageLink href={hasPrev ? href({ page: view.page - 1 }) : null} label="Previous page">
            <ChevronLeftIcon aria-hidden="true" />
          </PageLink>
          <span className="px-2 text-sm tabular-nums">
            Page {formatCount(view.page)} of {formatCount(Math.max(totalPages, 1))}
          </span>
          <PageLink href={hasNext ? href({ page: view.page + 1 }) : null} label="Next page">
            <ChevronRightIcon aria-hidden="true" />
          </PageLink>
        </nav>
      </div>
    </div>
  );
}
