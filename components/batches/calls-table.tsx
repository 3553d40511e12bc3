import { StatusBadge } from "@/components/batches/status-badge";
import { callFocusKey } from "@/components/data-table/focus-keys";
import { SortHeader, type SortDirection } from "@/components/data-table/sort-header";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { contactName } from "@/lib/batches/contact-name";
import type { BatchView, Sort } from "@/lib/batches/view-query";
import type { TrilletCall } from "@/lib/trillet/schemas";

import { formatDuration } from "./format";
import { LocalTime, TimeZoneLabel } from "./local-time";

/** Said on sort headers while the batch has no copy yet (Trillet itself cannot sort). */
export const SORT_UNAVAILABLE = "Sorting is available once the batch is copied";

interface Props {
  calls: TrilletCall[];
  caption: string;
  /** Current sort ("-duration" = descending); with sortHref, headers become sort links. */
  sort?: BatchView["sort"];
  sortHref?: (sort: BatchView["sort"]) => string;
  /** Sorting cannot be done yet: the headers say so instead of linking. */
  sortUnavailable?: boolean;
  onOpenCall?: (jobId: string) => void;
}

const COLUMNS: { label: string; sort?: Sort; className?: string; time?: boolean }[] = [
  { label: "Contact" },
  { label: "Phone number", sort: "phone" },
  { label: "Status", sort: "status" },
  { label: "Started", sort: "start", time: true },
  { label: "Ended", sort: "end", time: true },
  { label: "Duration", sort: "duration", className: "text-right" },
  { label: "Error" },
  { label: "Job ID" },
];

export function CallsTable({ calls, caption, sort = "row", sortHref, sortUnavailable = false, onOpenCall }: Props) {
  return (
    <Table data-testid="calls-table">
      <TableCaption className="sr-only">{caption}</TableCaption>
      <TableHeader>
        <TableRow>
          {COLUMNS.map((column) => (
            <SortableHead key={column.label} column={column} sort={sort} sortHref={sortHref} unavailable={sortUnavailable} />
          ))}
        </TableRow>
      </TableHeader>
      <TableBody>
        {calls.map((call) => {
          const contact = contactName(call.metadata);
          return (
            <TableRow key={call.jobId} data-job-id={call.jobId}>
              <TableCell className="max-w-48 truncate font-medium" title={contact ?? undefined} data-testid="call-contact">
                {contact ?? <span className="text-muted-foreground">—</span>}
              </TableCell>
              {/* Phone numbers are shown exactly as Trillet sent them. */}
              <TableCell className="font-mono text-xs whitespace-nowrap" data-testid="call-phone">
                {call.phoneNumber}
              </TableCell>
              <TableCell>
                <StatusBadge status={call.status} />
              </TableCell>
              <TableCell>
                <LocalTime ms={call.startTime} />
              </TableCell>
              <TableCell>
                <LocalTime ms={call.endTime} />
              </TableCell>
              <TableCell className="text-right tabular-nums">{formatDuration(call.durationSec)}</TableCell>
              <TableCell className="max-w-64 truncate" title={call.error ?? undefined}>
                {call.error ?? <span className="text-muted-foreground">—</span>}
              </TableCell>
              <TableCell className="font-mono text-xs">
                {onOpenCall ? (
                  <button
                    type="button"
                    className="rounded-sm text-left underline-offset-4 hover:underline focus-visible:ring-2 focus-visible:ring-ring focus-visible:ring-offset-2 focus-visible:ring-offset-background focus-visible:outline-none"
                    onClick={() => onOpenCall(call.jobId)}
                    aria-label={`Details of call ${call.jobId}`}
                    data-focus-key={callFocusKey(call.jobId)}
                  >
                    {call.jobId}
                  </button>
                ) : (
                  <span className="text-muted-foreground">{call.jobId}</span>
                )}
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}

function SortableHead({
  column,
  sort,
  sortHref,
  unavailable,
}: {
  column: (typeof COLUMNS)[number];
  sort: BatchView["sort"];
  sortHref?: (sort: BatchView["sort"]) => string;
  unavailable: boolean;
}) {
  const label = column.time ? <TimeZoneLabel label={column.label} /> : column.label;
  if (!column.sort || !sortHref) {
    return (
      <TableHead scope="col" className={column.className}>
        {label}
      </TableHead>
    );
  }
  const active = sort.replace(/^-/, "") === column.sort;
  const direction: SortDirection | null = active ? (sort.startsWith("-") ? "desc" : "asc") : null;
  // The shared cycle: ascending, descending, then Trillet's own order ("row").
  const next: BatchView["sort"] = direction === null ? column.sort : direction === "asc" ? `-${column.sort}` : "row";
  return (
    <SortHeader
      label={column.label}
      display={label}
      direction={unavailable ? null : direction}
      href={sortHref(next)}
      align={column.className ? "right" : "left"}
      unavailable={unavailable ? SORT_UNAVAILABLE : undefined}
    />
  );
}
