import { ArrowDownIcon, ArrowUpIcon, ChevronsUpDownIcon } from "lucide-react";
import Link from "next/link";

import { TableHead } from "@/components/ui/table";
import { batchListQuery, DEFAULT_DIRS, type BatchListSort, type BatchListView } from "@/lib/batches/batch-list-view";
import { cn } from "@/lib/utils";

interface Props {
  column: BatchListSort;
  label: string;
  view: BatchListView;
  basePath: string;
  align?: "left" | "right";
}

/** A column header that sorts through the URL; the sorted one carries aria-sort. */
export function SortHeader({ column, label, view, basePath, align = "left" }: Props) {
  const active = view.sort === column;
  const next = active ? (view.dir === "asc" ? "desc" : "asc") : DEFAULT_DIRS[column];
  const Icon = !active ? ChevronsUpDownIcon : view.dir === "asc" ? ArrowUpIcon : ArrowDownIcon;
  return (
    <TableHead
      scope="col"
      aria-sort={active ? (view.dir === "asc" ? "ascending" : "descending") : undefined}
      className={cn(align === "right" && "text-right")}
    >
      <Link
        href={`${basePath}${batchListQuery({ sort: column, dir: next })}`}
        scroll={false}
        data-testid={`sort-${column}`}
        className={cn(
          "-mx-1 inline-flex items-center gap-1 rounded-sm px-1 py-0.5 hover:text-foreground",
          "focus-visible:ring-[3px] focus-visible:ring-ring/50 focus-visible:outline-none",
          active ? "text-foreground" : "text-muted-foreground",
        )}
      >
        {label}
        <Icon aria-hidden="true" className="size-3.5" />
        <span className="sr-only">, sort {next === "asc" ? "ascending" : "descending"}</span>
      </Link>
    </TableHead>
  );
}
