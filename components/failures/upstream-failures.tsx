import { formatCount } from "@/components/batches/format";
import { stalenessText } from "@/components/batches/staleness-text";
import { Pagination } from "@/components/data-table/pagination";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { requestLocale } from "@/lib/locale-server";
import type { Staleness } from "@/lib/trillet/gateway";
import type { TrilletCall } from "@/lib/trillet/schemas";

import { CopyAge } from "./copy-age";
import { FailedCallList } from "./failed-call-list";

export interface UpstreamFailuresData {
  calls: TrilletCall[];
  page: number;
  pageSize: number;
  total: number;
  readAt: number;
  stale?: Staleness | null;
  reasons: { key: string; label: string; count: number }[];
}

interface Props {
  failures: UpstreamFailuresData;
  hrefFor: (page: number) => string;
  /** The link asked for a reason, which only the copy can group by. */
  reasonAsked: boolean;
}

/**
 * Until the batch is copied, Trillet's own pages of failed calls (status=failed), as they come:
 * reasons are counted over the page shown only, and say so. Grouping over the whole batch needs the copy.
 */
export async function UpstreamFailures({ failures, hrefFor, reasonAsked }: Props) {
  const locale = await requestLocale();
  const { calls, page, pageSize, total, readAt, reasons, stale } = failures;
  const from = (page - 1) * pageSize + 1;
  const to = from + calls.length - 1;
  const range = page === 1 ? `the first ${formatCount(calls.length, locale)}` : `${formatCount(from, locale)}–${formatCount(to, locale)}`;
  return (
    <Card data-testid="upstream-failures" data-total={total} data-page={page} role="region" aria-labelledby="upstream-failures-title">
      <CardHeader>
        <CardTitle>
          <h2 id="upstream-failures-title">Failed calls, from Trillet</h2>
        </CardTitle>
        <CardDescription>
          {calls.length > 0 ? (
            <>
              From Trillet, {range} of {formatCount(total, locale)} failed {total === 1 ? "call" : "calls"}, read <CopyAge at={readAt} />.
            </>
          ) : total === 0 ? (
            <>
              Trillet lists no failed calls in this batch (read <CopyAge at={readAt} />
              ).
            </>
          ) : (
            <>This page is past Trillet&apos;s last page of failed calls.</>
          )}{" "}
          Grouping by reason across the whole batch appears once it is copied
          {reasonAsked ? ", and with it the reason this link points to" : ""}.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {stale ? (
          <p role="status" className="text-sm text-muted-foreground" data-testid="stale-note" data-kind={stale.kind}>
            Not up to date: {stalenessText(stale)}.
          </p>
        ) : null}
        {reasons.length > 0 ? (
          <section aria-labelledby="page-reasons-title" className="flex flex-col gap-2" data-testid="page-reasons">
            <h3 id="page-reasons-title" className="text-sm font-medium">
              Reasons among these {formatCount(calls.length, locale)} calls only
            </h3>
            <ul className="flex flex-wrap gap-2 text-sm">
              {reasons.map((r) => (
                <li key={r.key} className="rounded-md border px-2 py-1" data-testid="page-reason" data-count={r.count}>
                  <span className="break-words">{r.label}</span>{" "}
                  <span className="tabular-nums text-muted-foreground">{formatCount(r.count, locale)}</span>
                </li>
              ))}
            </ul>
          </section>
        ) : null}
        {calls.length > 0 ? <FailedCallList calls={calls} /> : null}
        {total > 0 ? (
          <Pagination
            page={page}
            pageSize={pageSize}
            total={total}
            hrefFor={hrefFor}
            label="Pages of failed calls"
            locale={locale}
            rangeTestId="failed-calls-range"
            keepScroll
          />
        ) : null}
      </CardContent>
    </Card>
  );
}
