import { CircleCheckIcon } from "lucide-react";
import Link from "next/link";

import { formatCount } from "@/components/batches/format";
import { Pagination } from "@/components/data-table/pagination";
import { FailedCallList } from "@/components/failures/failed-call-list";
import { FailureTotals } from "@/components/failures/failure-totals";
import { ReasonTable } from "@/components/failures/reason-table";
import { RetryButton } from "@/components/loop/loop-buttons";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { failuresHref } from "@/lib/batches/drilldown-view";
import { requestLocale } from "@/lib/locale-server";

import { FAILED_PAGE_SIZE, type FailureDrilldown, type SelectedReason } from "./drilldown";

type Ready = Extract<FailureDrilldown, { state: "ready" }>;

/** Where a "Retry N calls" of a reason goes, when this person may start batches. */
export interface RetryTarget {
  workspace: string;
  batchId: string;
  defaultAgentId: string;
}

/** The drilldown once the batch is copied: totals, reasons ranked, the chosen reason's calls. */
export function ReadyDrilldown({ data, batchHref, retry }: { data: Ready; batchHref: string; retry: RetryTarget | null }) {
  return (
    <>
      <FailureTotals
        failedTotal={data.failedTotal}
        reasonsTotal={data.reasonsTotal}
        reasonCount={data.reasons.length}
        batchTotal={data.summary.total}
        copiedAt={data.copiedAt}
        frozen={data.mirror.frozen}
      />
      {data.reasons.length === 0 ? (
        <NoFailures batchHref={batchHref} />
      ) : (
        <Card>
          <CardHeader>
            <CardTitle>
              <h2>Reasons</h2>
            </CardTitle>
            <CardDescription>Most frequent first. Choose a reason to list its calls.</CardDescription>
          </CardHeader>
          <CardContent>
            <ReasonTable
              reasons={data.reasons}
              selectedKey={data.selected?.reason.key ?? null}
              hrefFor={(key) => failuresHref(batchHref, { reason: key })}
              expanded={data.selected ? <ReasonCalls selected={data.selected} batchHref={batchHref} retry={retry} /> : null}
            />
          </CardContent>
        </Card>
      )}
    </>
  );
}

async function ReasonCalls({ selected, batchHref, retry }: { selected: SelectedReason; batchHref: string; retry: RetryTarget | null }) {
  const locale = await requestLocale();
  const { reason, calls, total, page } = selected;
  return (
    <section
      id="reason-calls"
      data-testid="reason-calls"
      data-reason-key={reason.key}
      aria-labelledby="reason-calls-title"
      className="flex flex-col gap-4 rounded-lg border bg-card p-3 sm:p-4"
    >
      <div className="flex flex-col gap-2 sm:flex-row sm:items-start sm:justify-between">
        <div className="flex min-w-0 flex-col gap-1">
          <h3 id="reason-calls-title" className="font-semibold break-words">
            Calls that failed with “{reason.label}”
          </h3>
          <p className="text-sm text-muted-foreground tabular-nums">
            {formatCount(total, locale)} failed {total === 1 ? "call" : "calls"}, in Trillet&apos;s order
          </p>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          {retry && total > 0 ? <RetryButton {...retry} reason={reason.key} reasonLabel={reason.label} failedCount={total} /> : null}
          <Button asChild variant="ghost" size="sm">
            <Link href={failuresHref(batchHref)} scroll={false}>
              Clear selection
            </Link>
          </Button>
        </div>
      </div>
      <div className="flex flex-col gap-4">
        {calls.length > 0 ? <FailedCallList calls={calls} /> : <p className="text-sm text-muted-foreground">No calls on this page.</p>}
        <Pagination
          page={page}
          pageSize={FAILED_PAGE_SIZE}
          total={total}
          hrefFor={(p) => failuresHref(batchHref, { reason: reason.key, page: p })}
          label="Pages of failed calls"
          locale={locale}
          rangeTestId="failed-calls-range"
          keepScroll
        />
      </div>
    </section>
  );
}

function NoFailures({ batchHref }: { batchHref: string }) {
  return (
    <div className="flex flex-col items-center gap-3 rounded-lg border border-dashed px-4 py-10 text-center" data-testid="no-failures">
      <CircleCheckIcon aria-hidden="true" className="size-8 text-status-completed" />
      <p className="font-medium">No failed calls in this batch</p>
      <Button asChild variant="outline" size="sm">
        <Link href={batchHref}>Back to the batch</Link>
      </Button>
    </div>
  );
}
