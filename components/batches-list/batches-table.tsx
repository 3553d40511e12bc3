import Link from "next/link";

import { formatCount, formatPercent } from "@/components/batches/format";
import { LocalTime, TimeZoneLabel } from "@/components/batches/local-time";
import { StackedProgress } from "@/components/batches/stacked-progress";
import { nextSortDirection, SortHeader } from "@/components/data-table/sort-header";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import {
  batchListQuery,
  DEFAULT_BATCH_LIST_VIEW,
  type BatchListItem,
  type BatchListSort,
  type BatchListView,
} from "@/lib/batches/batch-list";
import { requestLocale } from "@/lib/locale-server";
import type { BatchSummary } from "@/lib/trillet/schemas";

import { BatchStatusBadge } from "./batch-status-badge";
import { RemoveBatchDialog } from "./remove-batch-dialog";
import { RenameBatchDialog } from "./rename-batch-dialog";

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

/** A header of this table: the shared sort cycle, where "the default order" is date added, newest first. */
function sortProps(column: BatchListSort, view: BatchListView, basePath: string) {
  const direction = view.sort === column ? view.dir : null;
  const next = nextSortDirection(direction);
  // On the default column the default order is one of its own directions: skip straight to ascending.
  const target =
    next === null
      ? column === DEFAULT_BATCH_LIST_VIEW.sort
        ? { sort: column, dir: "asc" as const }
        : DEFAULT_BATCH_LIST_VIEW
      : { sort: column, dir: next };
  return { direction, href: `${basePath}${batchListQuery(target)}`, testId: `sort-${column}` };
}

export async function BatchesTable({ items, view, workspace }: Props) {
  const locale = await requestLocale();
  const basePath = `/w/${workspace}/batches`;
  return (
    <Table data-testid="batches-table">
      <TableCaption className="sr-only">
        Batches of this workspace, sorted by {SORT_NAMES[view.sort]}, {view.dir === "asc" ? "ascending" : "descending"}
      </TableCaption>
      <TableHeader>
        <TableRow>
          <SortHeader label="Batch" {...sortProps("label", view, basePath)} />
          <TableHead scope="col">Status</TableHead>
          <SortHeader label="Total" align="right" {...sortProps("total", view, basePath)} />
          <TableHead scope="col">Progress</TableHead>
          <SortHeader label="Success" align="right" {...sortProps("success", view, basePath)} />
          <SortHeader
            label="Last refreshed"
            display={<TimeZoneLabel label="Last refreshed" />}
            className="hidden md:table-cell"
            {...sortProps("refreshed", view, basePath)}
          />
          <SortHeader
            label="Added"
            display={<TimeZoneLabel label="Added" />}
            className="hidden lg:table-cell"
            {...sortProps("added", view, basePath)}
          />
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
                  className="group flex flex-col rounded-sm focus-visible:ring-2 focus-visible:ring-ring focus-visible:ring-offset-2 focus-visible:ring-offset-background focus-visible:outline-none"
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
                {item.summary ? formatCount(item.summary.total, locale) : <Unknown />}
              </TableCell>
              <TableCell className="min-w-32">{item.summary ? <Progress summary={item.summary} /> : <Unknown />}</TableCell>
              <TableCell className="text-right tabular-nums" data-testid="batch-success">
                {item.successRate === null ? <Unknown /> : formatPercent(item.successRate, locale)}
              </TableCell>
              <TableCell className="hidden md:table-cell">
                {item.refreshedAt === null ? <Unknown /> : <LocalTime ms={item.refreshedAt} />}
              </TableCell>
              <TableCell className="hidden text-muted-foreground lg:table-cell">
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
