import { ArrowDownIcon, ArrowUpIcon, ChevronsUpDownIcon } from "lucide-react";
import Link from "next/link";
import type { ReactNode } from "react";

import { TableHead } from "@/components/ui/table";
import { cn } from "@/lib/utils";

export type SortDirection = "asc" | "desc";

/**
 * The one sort cycle of every table: a column not sorted on sorts ascending, then descending,
 * then the table's own order again (null).
 */
export function nextSortDirection(current: SortDirection | null): SortDirection | null {
  return current === null ? "asc" : current === "asc" ? "desc" : null;
}

interface Props {
  label: string;
  /** What the header shows, when more than the label (e.g. the label with its time zone). */
  display?: ReactNode;
  /** How the table is sorted on this column now; null when it is not. */
  direction: SortDirection | null;
  /** Where the header leads: the next step of the cycle (see nextSortDirection). */
  href: string;
  align?: "left" | "right";
  /** Sorting cannot be used yet: the header says why instead of linking (and claims no order). */
  unavailable?: string;
  className?: string;
  testId?: string;
}

const NEXT_WORDS = { asc: "sort ascending", desc: "sort descending", none: "back to the default order" };

/** A column header that sorts through the URL; the sorted one carries aria-sort. */
export function SortHeader({ label, display, direction, href, align = "left", unavailable, className, testId }: Props) {
  const headClass = cn(align === "right" && "text-right", className);
  if (unavailable) {
    return (
      <TableHead scope="col" className={headClass}>
        <span
          className="inline-flex cursor-not-allowed items-center gap-1 text-muted-foreground"
          title={unavailable}
          data-testid={testId}
          data-sort-unavailable=""
        >
          {display ?? label}
          <ChevronsUpDownIcon aria-hidden="true" className="size-3.5 opacity-40" />
          <span className="sr-only">, {unavailable}</span>
        </span>
      </TableHead>
    );
  }
  const next = nextSortDirection(direction);
  const Icon = direction === null ? ChevronsUpDownIcon : direction === "asc" ? ArrowUpIcon : ArrowDownIcon;
  const now = direction === null ? "" : direction === "asc" ? ", sorted ascending" : ", sorted descending";
  return (
    <TableHead
      scope="col"
      aria-sort={direction === null ? undefined : direction === "asc" ? "ascending" : "descending"}
      className={headClass}
    >
      <Link
        href={href}
        scroll={false}
        data-testid={testId}
        data-focus-key={`sort-${label}`}
        className={cn(
          "-mx-1 inline-flex items-center gap-1 rounded-sm px-1 py-0.5 hover:text-foreground",
          "focus-visible:ring-2 focus-visible:ring-ring focus-visible:ring-offset-2 focus-visible:ring-offset-background focus-visible:outline-none",
          direction === null ? "text-muted-foreground" : "text-foreground",
        )}
      >
        {display ?? label}
        <Icon aria-hidden="true" className="size-3.5" />
        <span className="sr-only">
          {now}, {NEXT_WORDS[next ?? "none"]}
        </span>
      </Link>
    </TableHead>
  );
}
