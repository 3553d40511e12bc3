import { AlertTriangleIcon, DatabaseIcon, RadioIcon } from "lucide-react";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import type { BatchPageData } from "@/lib/batches/batch-page";
import { LocalTime } from "./local-time";

/** Says where the numbers on screen come from and how fresh they are; never hides a mismatch. */
export function DataSourceNote({ data }: { data: BatchPageData }) {
  const { mirror } = data;
  const syncing = mirror && !mirror.frozen && (mirror.state === "running" || mirror.state === "pending");
  return (
    <div className="flex flex-col gap-3" data-testid="data-source" data-source={data.source}>
      <p className="flex flex-wrap items-center gap-x-2 gap-y-1 text-sm text-muted-foreground">
        {data.source === "mirror" ? <DatabaseIcon aria-hidden="true" className="size-4" /> : <RadioIcon aria-hidden="true" className="size-4" />}
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
        {syncing ? (
          <span data-testid="mirror-progress">
            · copying for search and reports: {mirror.pagesDone} of {mirror.totalPages || "?"} pages
          </span>
        ) : null}
      </p>
      {data.mirrorPending ? (
        <Alert data-testid="mirror-pending">
          <DatabaseIcon aria-hidden="true" />
          <AlertTitle>Search, sorting and reason filters need the batch copied first</AlertTitle>
          <AlertDescription>
            Trillet can only list calls by status, so Batchboard copies the batch to answer them. The list below is
            Trillet&apos;s own order, unfiltered by your search; reload in a moment.
          </AlertDescription>
        </Alert>
      ) : null}
      {mirror?.mismatch ? (
        <Alert variant="destructive" data-testid="mirror-mismatch">
          <AlertTriangleIcon aria-hidden="true" />
          <AlertTitle>Batchboard&apos;s copy disagrees with Trillet</AlertTitle>
          <AlertDescription>
            After the final copy, the counts or the calls differ from what Trillet reports. The copy is checked again
            in a few minutes; until then, treat search results and reports with care.
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
