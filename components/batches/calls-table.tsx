import { ArrowDownIcon, ArrowUpDownIcon, ArrowUpIcon } from "lucide-react";
import Link from "next/link";

import { StatusBadge } from "@/components/batches/status-badge";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { BatchView, Sort } from "@/lib/batches/view-query";
import type { TrilletCall } from "@/lib/trillet/schemas";

import { formatDuration } from "./format";
import { LocalTime } from "./local-time";

interface Props {
  calls: TrilletCall[];
  caption: string;
  /** Current sort ("-duration" = descending); with sortHref, headers become sort links. */
  sort?: BatchView["sort"];
  sortHref?: (sort: BatchView["sort"]) => string;
  onOpenCall?: (jobId: string) => void;
}

const COLUMNS: { label: string; sort?: Sort; className?: string }[] = [
  { label: "Phone number", sort: "phone" },
  { label: "Status", sort: "status" },
  { label: "Started", sort: "start" },
  { label: "Ended", sort: "end" },
  { label: "Duration", sort: "duration", className: "text-right" },
  { label: "Error" },
  { label: "Job ID" },
];

export function CallsTable({ calls, caption, sort = "row", sortHref, onOpenCall }: Props) {
  return (
    <Table data-testid="calls-table">
      <TableCaption className="sr-only">{caption}</TableCaption>
      <TableHeader>
        <TableRow>
          {COLUMNS.map((column) => (
            <SortableHead key={column.label} column={column} sort={sort} sortHref={sortHref} />
          ))}
        </TableRow>
      </TableHeader>
      <TableBody>
        {calls.map((call) => (
          <TableRow key={call.jobId} data-job-id={call.jobId}>
            {/* Phone numbers are shown exactly as Trillet sent them. */}
            <TableCell className="font-mono text-xs whitespace-nowrap">{call.phoneNumber}</TableCell>
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
                  className="rounded-sm text-left underline-offset-4 hover:underline focus-visible:ring-[3px] focus-visible:ring-ring/50 focus-visible:outline-none"
                  onClick={() => onOpenCall(call.jobId)}
                  aria-label={`Details of call ${call.jobId}`}
                >
                  {call.jobId}
                </button>
              ) : (
                <span className="text-muted-foreground">{call.jobId}</span>
              )}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function SortableHead({
  column,
  sort,
  sortHref,
}: {
  column: (typeof COLUMNS)[number];
  sort: BatchView["sort"];
  sortHref?: (sort: BatchView["sort"]) => string;
}) {
  if (!column.sort || !sortHref) {
    return (
      <TableHead scope="col" className={column.className}>
        {column.label}
      </TableHead>
    );
  }
  const active = sort.replace(/^-/, "") === column.sort;
  const desc = active && sort.startsWith("-");
  // First click sorts ascending, the second descending, the third back to Trillet's order.
  const next: BatchView["sort"] = !active ? column.sort : desc ? "row" : `-${column.sort}`;
  const Icon = !active ? ArrowUpDownIcon : desc ? ArrowDownIcon : ArrowUpIcon;
  return (
    <TableHead scope="col" className={column.className} aria-sort={active ? (desc ? "descending" : "ascending") : "none"}>
      <Link
        href={sortHref(next)}
        scroll={false}
        className="inline-flex items-center gap-1 rounded-sm hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50 focus-visible:outline-none"
      >
        {column.label}
        <Icon aria-hidden="true" className="size-3.5 opacity-70" />
        <span className="sr-only">{active ? (desc ? ", sorted descending" : ", sorted ascending") : ", sort"}</span>
      </Link>
    </TableHead>
  );
}
