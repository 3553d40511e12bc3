import { AlertTriangleIcon, HourglassIcon } from "lucide-react";

import { formatCount, formatPercent } from "@/components/batches/format";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { requestLocale } from "@/lib/locale-server";

import { CopyAge } from "./copy-age";

interface Props {
  failedTotal: number;
  reasonsTotal: number;
  reasonCount: number;
  batchTotal: number;
  copiedAt: number;
  frozen: boolean;
}

/**
 * The failed total and how many different reasons explain it. That the reasons add up to the
 * total is checked here, and said only when it is not so (the copy changed while it was read).
 */
export async function FailureTotals({ failedTotal, reasonsTotal, reasonCount, batchTotal, copiedAt, frozen }: Props) {
  const locale = await requestLocale();
  return (
    <section aria-label="Failure totals" className="flex flex-col gap-3">
      <div className="grid gap-3 sm:grid-cols-2">
        <Card className="gap-1 py-4">
          <CardHeader className="px-4">
            <CardDescription>Failed calls</CardDescription>
            <CardTitle className="text-2xl tabular-nums" data-testid="failed-total" data-value={failedTotal}>
              {formatCount(failedTotal, locale)}
            </CardTitle>
            <p className="text-xs text-muted-foreground tabular-nums">
              of {formatCount(batchTotal, locale)} calls in the batch
              {batchTotal > 0 ? ` (${formatPercent(failedTotal / batchTotal, locale)})` : ""}
            </p>
          </CardHeader>
        </Card>
        <Card className="gap-1 py-4">
          <CardHeader className="px-4">
            <CardDescription>Different reasons</CardDescription>
            <CardTitle className="text-2xl tabular-nums" data-testid="reason-count" data-value={reasonCount}>
              {formatCount(reasonCount, locale)}
            </CardTitle>
            <p className="text-xs text-muted-foreground">
              {reasonCount === 0
                ? "No failures to explain"
                : "Similar messages are counted as one reason (case, spacing and final punctuation ignored)"}
            </p>
          </CardHeader>
        </Card>
      </div>
      {/* Which moment these numbers describe: the copy's, never "now". */}
      {frozen ? (
        <p className="text-sm text-muted-foreground" data-testid="copy-moment" data-frozen="true">
          Final: the batch has finished, and these numbers are its complete copy, copied from Trillet <CopyAge at={copiedAt} />.
        </p>
      ) : (
        <Alert data-testid="copy-moment" data-frozen="false">
          <HourglassIcon aria-hidden="true" />
          <AlertTitle>The batch is still running</AlertTitle>
          <AlertDescription>
            <p>
              These numbers describe Batchboard&apos;s copy, copied from Trillet <CopyAge at={copiedAt} />. Calls that failed since then are
              not counted here, and a &ldquo;calls to retry&rdquo; file made from a copy this old may miss them. The copy is refreshed while
              the batch runs.
            </p>
          </AlertDescription>
        </Alert>
      )}
      {reasonsTotal !== failedTotal ? (
        <Alert data-testid="totals-mismatch">
          <AlertTriangleIcon aria-hidden="true" />
          <AlertTitle>The copy is being updated</AlertTitle>
          <AlertDescription>
            The reasons add up to {formatCount(reasonsTotal, locale)} while {formatCount(failedTotal, locale)} calls are marked failed,
            because the copy changed while it was read. Reload in a moment.
          </AlertDescription>
        </Alert>
      ) : null}
    </section>
  );
}
