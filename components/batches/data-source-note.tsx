import { AlertTriangleIcon, DatabaseIcon, HistoryIcon, RadioIcon } from "lucide-react";
import Link from "next/link";

import { useLocale } from "@/components/locale-provider";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import type { BatchPageData } from "@/lib/batches/batch-page";

import { CopyProgress } from "./copy-progress";
import { formatCount } from "./format";
import { LocalTime } from "./local-time";

/**
 * A search of a running batch is answered from Batchboard's copy; when Trillet has told us more
 * since, say how the two moments differ and offer the live view rather than mixing them.
 */
function NewerLiveNote({
  data,
  newerLive,
  liveHref,
}: {
  data: BatchPageData;
  newerLive: NonNullable<BatchPageData["newerLive"]>;
  liveHref: string;
}) {
  const locale = useLocale();
  const keys = ["completed", "failed", "active", "waiting"] as const;
  const changed = keys.filter((k) => newerLive.summary[k] !== data.summary[k]);
  return (
    <Alert data-testid="newer-live">
      <HistoryIcon aria-hidden="true" />
      <AlertTitle>
        These results come from the copy read at <LocalTime ms={data.readAt} />; Trillet was read later, at{" "}
        <LocalTime ms={newerLive.readAt} />
      </AlertTitle>
      <AlertDescription>
        <p>
          {changed.length === 0
            ? "The counts have not changed since the copy."
            : `Since the copy: ${changed.map((k) => `${k} ${formatCount(data.summary[k], locale)} → ${formatCount(newerLive.summary[k], locale)}`).join(", ")}.`}{" "}
          Search, sorting and reason filters need the copy, which catches up by itself.
        </p>
        <Button asChild variant="outline" size="sm" className="mt-2">
          <Link href={liveHref}>Show the live view</Link>
        </Button>
      </AlertDescription>
    </Alert>
  );
}

/** Says where the numbers on screen come from and how fresh they are; never hides a mismatch. */
export function DataSourceNote({ data, liveHref }: { data: BatchPageData; liveHref: string }) {
  const { mirror } = data;
  return (
    <div className="flex flex-col gap-3" data-testid="data-source" data-source={data.source} data-read-at={data.readAt}>
      <p className="flex flex-wrap items-center gap-x-2 gap-y-1 text-sm text-muted-foreground">
        {data.source === "mirror" ? (
          <DatabaseIcon aria-hidden="true" className="size-4" />
        ) : (
          <RadioIcon aria-hidden="true" className="size-4" />
        )}
        <span>
          {data.source === "mirror"
            ? data.finished
              ? "Finished and fully copied: these numbers are final and load without asking Trillet."
              : "From Batchboard's copy of the batch, read from Trillet at"
            : data.finished
              ? "Finished. Read from Trillet at"
              : "Running. Read from Trillet at"}
        </span>
        {data.source === "upstream" || !data.finished ? <LocalTime ms={data.readAt} /> : null}
        {mirror && !mirror.frozen ? (
          <span data-testid="mirror-progress">
            · <CopyProgress mirror={mirror} />
          </span>
        ) : null}
      </p>
      {data.newerLive ? <NewerLiveNote data={data} newerLive={data.newerLive} liveHref={liveHref} /> : null}
      {data.mirrorPending ? (
        <Alert data-testid="mirror-pending">
          <DatabaseIcon aria-hidden="true" />
          <AlertTitle>Search, sorting and reason filters need the batch copied first</AlertTitle>
          <AlertDescription>
            Trillet can only list calls by status, so Batchboard copies the batch to answer them. The list below is Trillet&apos;s own
            order, unfiltered by your search; reload in a moment.
          </AlertDescription>
        </Alert>
      ) : null}
      {mirror?.mismatch ? (
        <Alert variant="destructive" data-testid="mirror-mismatch">
          <AlertTriangleIcon aria-hidden="true" />
          <AlertTitle>Batchboard&apos;s copy disagrees with Trillet</AlertTitle>
          <AlertDescription>
            After the final copy, the counts or the calls differ from what Trillet reports. The copy is checked again in a few minutes;
            until then, treat search results and reports with care.
          </AlertDescription>
        </Alert>
      ) : null}
      {mirror?.state === "failed" && mirror.error ? (
        <p className="text-sm text-muted-foreground" data-testid="mirror-error">
          Copying this batch failed ({mirror.error}); it will be tried again.
        </p>
      ) : null}
    </div>
  );
}
