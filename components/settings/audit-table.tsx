import { LocalTime } from "@/components/batches/local-time";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";

import { formatAuditDetail } from "./audit-detail";

export interface AuditRow {
  id: number;
  at: Date;
  actorEmail: string | null;
  action: string;
  target: string | null;
  detail: Record<string, unknown>;
  ip: string | null;
  userAgent: string | null;
}

const none = <span className="text-muted-foreground">—</span>;

export function AuditTable({ rows }: { rows: readonly AuditRow[] }) {
  return (
    <Table data-testid="audit-table">
      <TableHeader>
        <TableRow>
          <TableHead>When</TableHead>
          <TableHead>Who</TableHead>
          <TableHead>Action</TableHead>
          <TableHead>Target</TableHead>
          <TableHead>Detail</TableHead>
          <TableHead>From</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map((row) => {
          const detail = formatAuditDetail(row.detail);
          return (
            <TableRow key={row.id} data-testid="audit-row">
              <TableCell>
                <LocalTime ms={row.at.getTime()} />
              </TableCell>
              <TableCell>{row.actorEmail ?? none}</TableCell>
              <TableCell className="font-mono text-xs">{row.action}</TableCell>
              <TableCell>{row.target ?? none}</TableCell>
              <TableCell className="max-w-80 truncate font-mono text-xs" title={detail || undefined}>
                {detail || none}
              </TableCell>
              <TableCell className="font-mono text-xs" title={row.userAgent ?? undefined}>
                {row.ip ?? none}
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
