import { LocalTime } from "@/components/batches/local-time";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";

import { formatAuditDetail } from "./audit-detail";
import { auditActionLabel, auditFromLabel, humanAuditDetail } from "./audit-labels";

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
          const detail = humanAuditDetail(row.detail);
          const from = auditFromLabel(row.ip);
          return (
            <TableRow key={row.id} data-testid="audit-row">
              <TableCell>
                <LocalTime ms={row.at.getTime()} />
              </TableCell>
              <TableCell>{row.actorEmail ?? none}</TableCell>
              <TableCell data-action={row.action}>
                <span className="block">{auditActionLabel(row.action)}</span>
                {/* The recorded code, small: what the server log and support talk about. */}
                <span className="block font-mono text-xs text-muted-foreground">{row.action}</span>
              </TableCell>
              <TableCell className="max-w-56 break-all whitespace-normal">{row.target ?? none}</TableCell>
              {/* Wraps instead of pushing the From column off the table at laptop widths (1366 px). */}
              <TableCell
                className="max-w-72 min-w-40 text-xs break-words whitespace-normal"
                title={formatAuditDetail(row.detail) || undefined}
              >
                {detail || none}
              </TableCell>
              <TableCell className="text-xs whitespace-nowrap" title={row.userAgent ?? undefined}>
                {from ?? none}
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
