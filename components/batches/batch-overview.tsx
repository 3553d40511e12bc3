import { InboxIcon } from "lucide-react";

import { BatchStatusBadge } from "@/components/batches-list/batch-status-badge";
import { StackedProgress } from "@/components/batches/stacked-progress";
import { Pagination } from "@/components/data-table/pagination";
import { useLocale } from "@/components/locale-provider";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import type { BatchPageData } from "@/lib/batches/batch-page";
import { batchViewQuery, type BatchView } from "@/lib/batches/view-query";

import { CallsSearch } from "./calls-search";
import { CallsTable } from "./calls-table";
import { DataSourceNote } from "./data-source-note";
import { RowsPerPage } from "./rows-per-page";
import { StatusTabs } from "./status-tabs";
import { SummaryCards } from "./summary-cards";

interface Props {
  data: BatchPageData;
  view: BatchView;
  basePath: string;
  /** Charts, loaded on demand by the caller. */
  charts?: React.ReactNode;
  /** Call actions (detail links) rendered per row by the table. */
  onOpenCall?: (jobId: string) => void;
}

export function BatchOverview({ data, view, basePath, charts, onOpenCall }: Props) {
  const { summary, calls, pagination } = data;
  const locale = useLocale();
  if (data.finished && summary.total === 0 && !data.stale) {
    // Nothing to copy, chart or page through: one sentence instead of empty cards that disagree.
    return (
      <div className="flex flex-col gap-6" data-testid="batch-overview">
        <div className="flex flex-wrap items-start gap-3">
          <BatchStatusBadge status="finished" />
        </div>
        <Card>
          <CardContent>
            <EmptyCalls view={view} batchEmpty />
          </CardContent>
        </Card>
      </div>
    );
  }
  // Trillet cannot sort: until the batch has a copy, sort headers say so instead of pretending.
  const sortable = data.source === "mirror" || data.mirror?.lastSuccessAt != null;
  return (
    <div className="flex flex-col gap-6" data-testid="batch-overview">
      <div className="flex flex-wrap items-start gap-3">
        <BatchStatusBadge status={data.finished ? "finished" : "running"} />
        <DataSourceNote data={data} liveHref={`${basePath}${batchViewQuery({ status: view.status, limit: view.limit })}`} />
      </div>
      <SummaryCards summary={summary} />
      <StackedProgress
        total={summary.total}
        showLegend
        segments={[
          { key: "completed", label: "Completed", value: summary.completed, className: "bg-status-completed" },
          { key: "failed", label: "Failed", value: summary.failed, className: "bg-status-failed" },
          { key: "active", label: "Active", value: summary.active, className: "bg-status-active" },
          { key: "waiting", label: "Waiting", value: summary.waiting, className: "bg-status-waiting" },
        ]}
      />
      {charts}
      <Card>
        <CardHeader className="flex min-w-0 flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
          <CardTitle>Calls</CardTitle>
          <StatusTabs basePath={basePath} view={view} summary={summary} />
        </CardHeader>
        <CardContent className="flex flex-col gap-4">
          <CallsSearch basePath={basePath} view={view} />
          {calls.length > 0 ? (
            <CallsTable
              calls={calls}
              caption={`Calls, ${view.status}, page ${view.page}`}
              sortHref={(sort) => `${basePath}${batchViewQuery({ ...view, sort, page: 1 })}`}
              sort={view.sort}
              sortUnavailable={!sortable}
              onOpenCall={onOpenCall}
            />
          ) : (
            <EmptyCalls view={view} batchEmpty={summary.total === 0} />
          )}
          <Pagination
            page={view.page}
            pageSize={view.limit}
            total={pagination.total}
            hrefFor={(page) => `${basePath}${batchViewQuery({ ...view, page })}`}
            label="Pagination"
            locale={locale}
            rangeTestId="range"
          >
            <RowsPerPage basePath={basePath} view={view} />
          </Pagination>
        </CardContent>
      </Card>
    </div>
  );
}

function EmptyCalls({ view, batchEmpty }: { view: BatchView; batchEmpty: boolean }) {
  const message = batchEmpty
    ? "This batch has no calls."
    : view.q || view.reason
      ? "No calls match this search."
      : view.page > 1
        ? "This page is past the last call. Go back to an earlier page."
        : `No ${view.status === "all" ? "" : `${view.status} `}calls in this batch right now.`;
  return (
    <div className="flex flex-col items-center gap-2 py-12 text-center text-muted-foreground" data-testid="calls-empty">
      <InboxIcon aria-hidden="true" className="size-8" />
      <p>{message}</p>
    </div>
  );
}

export function BatchOverviewSkeleton() {
  return (
    <div className="flex flex-col gap-6" aria-busy="true" aria-label="Loading batch">
      <Skeleton className="h-5 w-72" />
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6">
        {Array.from({ length: 6 }, (_, i) => (
          <Skeleton key={i} className="h-24" />
        ))}
      </div>
      <Skeleton className="h-2.5 w-full" />
      <Skeleton className="h-96 w-full" />
    </div>
  );
}
