import { StatusBadge } from "@/components/ui/status-badge";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { TrilletCall } from "@/lib/trillet/schemas";
import { formatDuration } from "./format";
import { LocalTime } from "./local-time";

export function CallsTable({ calls, caption }: { calls: TrilletCall[]; caption: string }) {
  return (
    <Table data-testid="calls-table">
      <TableCaption className="sr-only">{caption}</TableCaption>
      <TableHeader>
        <TableRow>
          <TableHead scope="col">Phone number</TableHead>
          <TableHead scope="col">Status</TableHead>
          <TableHead scope="col">Started</TableHead>
          <TableHead scope="col">Ended</TableHead>
          <TableHead scope="col" className="text-right">
            Duration
          </TableHead>
          <TableHead scope="col">Error</TableHead>
          <TableHead scope="col">Job ID</TableHead>
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
            <TableCell className="font-mono text-xs text-muted-foreground">{call.jobId}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
