import Link from "next/link";

import { formatCount, formatPercent } from "@/components/batches/format";
import { LocalTime } from "@/components/batches/local-time";
import { StackedProgress } from "@/components/batches/stacked-progress";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { BatchListItem } from "@/lib/batches/batch-list";
import type { BatchListView } from "@/lib/batches/batch-list-view";
import type { BatchSummary } from "@/lib/trillet/schemas";

import { BatchStatusBadge } from "./batch-status-badge";
import { RemoveBatchDialog } from "./remove-batch-dialog";
import { RenameBatchDialog } from "./rename-batch-dialog";
import { SortHeader } from "./sort-header";

interface Props {
  items: BatchListItem[];
  view: BatchListView;
  /** Workspace slug. */
  workspace: string;
}

const SORT_NAMES = {
  label: "label (unnamed batches last)",
  added: "date added",
  total: "total calls",
  success: "success rate",
  refreshed: "last refresh",
};

export function BatchesTable({ items, view, workspace }: Props) {
  const basePath = `/w/${workspace}/batches`;
  const header = { view, basePath };
  return (
    <Table data-testid="batches-table">
      <TableCaption className="sr-only">
        Batches of this workspace, sorted by {SORT_NAMES[view.sort]}, {view.dir === "asc" ? "ascending" : "descending"}
      </TableCaption>
      <TableHeader>
        <TableRow>
          <SortHeader column="label" label="Batch" {...header} />
          <TableHead scope="col">Status</TableHead>
          <SortHeader column="total" label="Total" align="right" {...header} />
          <TableHead scope="col">Progress</TableHead>
          <SortHeader column="success" label="Success" align="right" {...header} />
          <SortHeader column="refreshed" label="Last refreshed" {...header} />
          <SortHeader column="added" label="Added" {...header} />
          <TableHead scope="col">
            <span className="sr-only">Actions</span>
          </TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {items.map((item) => {
          const href = `${basePath}/${encodeURIComponent(item.batchId)}`;
          return (
            <TableRow key={item.batchId} data-testid="batch-row" data-batch-id={item.batchId}>
              <TableCell className="max-w-72">
                <Link
                  href={href}
                  title={item.label || undefined}
                  className="group flex flex-col rounded-sm focus-visible:ring-[3px] focus-visible:ring-ring/50 focus-visible:outline-none"
                >
                  {item.label ? <span className="truncate font-medium group-hover:underline">{item.label}</span> : null}
                  <span
                    className={
                      item.label
                        ? "truncate font-mono text-xs text-muted-foreground"
                        : "truncate font-mono text-sm font-medium group-hover:underline"
                    }
                    data-testid="batch-id"
                  >
                    {item.batchId}
                  </span>
                </Link>
              </TableCell>
              <TableCell>
                <BatchStatusBadge status={item.status} />
              </TableCell>
              <TableCell className="text-right tabular-nums" data-testid="batch-total">
                {item.summary ? formatCount(item.summary.total) : <Unknown />}
              </TableCell>
              <TableCell className="min-w-32">{item.summary ? <Progress summary={item.summary} /> : <Unknown />}</TableCell>
              <TableCell className="text-right tabular-nums" data-testid="batch-success">
                {item.successRate === null ? <Unknown /> : formatPercent(item.successRate)}
              </TableCell>
              <TableCell>{item.refreshedAt === null ? <Unknown /> : <LocalTime ms={item.refreshedAt} />}</TableCell>
              <TableCell className="text-muted-foreground">
                <LocalTime ms={item.addedAt} />
              </TableCell>
              <TableCell className="text-right">
                <div className="flex justify-end gap-1">
                  <RenameBatchDialog workspace={workspace} batchId={item.batchId} label={item.label} />
                  <RemoveBatchDialog workspace={workspace} batchId={item.batchId} label={item.label} />
                </div>
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}

function Progress({ summary }: { summary: BatchSummary }) {
  return (
    <StackedProgress
      className="w-32"
      total={summary.total}
      segments={[
        { key: "completed", label: "Completed", value: summary.completed, className: "bg-status-completed" },
        { key: "failed", label: "Failed", value: summary.failed, className: "bg-status-failed" },
        { key: "active", label: "Active", value: summary.active, className: "bg-status-active" },
        { key: "waiting", label: "Waiting", value: summary.waiting, className: "bg-status-waiting" },
      ]}
    />
  );
}

/** Not known yet, which is not the same as zero. */
function Unknown() {
  return (
    <span className="text-muted-foreground">
      <span aria-hidden="true">—</span>
      <span className="sr-only">not known yet</span>
    </span>
  );
}
