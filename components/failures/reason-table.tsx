import { ChevronRightIcon } from "lucide-react";
import Link from "next/link";
import { Fragment, type ReactNode } from "react";

import { formatCount, formatPercent } from "@/components/batches/format";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { requestLocale } from "@/lib/locale-server";
import { cn } from "@/lib/utils";

export interface ReasonRow {
  key: string;
  label: string;
  count: number;
  /** Of the failed calls, 0..1. */
  share: number;
}

interface Props {
  reasons: ReasonRow[];
  selectedKey: string | null;
  /** The link that selects a reason (shareable: the reason is in the URL). */
  hrefFor: (key: string) => string;
  /** The chosen reason's calls, shown in the row right under it. */
  expanded?: ReactNode;
}

/** Reasons ranked by count. The bar repeats the share shown as text, so colour carries nothing alone. */
export async function ReasonTable({ reasons, selectedKey, hrefFor, expanded }: Props) {
  const locale = await requestLocale();
  return (
    <Table data-testid="reasons-table">
      <TableCaption className="sr-only">Failure reasons, most frequent first. Choose one to list its calls.</TableCaption>
      <TableHeader>
        <TableRow>
          <TableHead scope="col">Reason</TableHead>
          <TableHead scope="col" className="text-right">
            Calls
          </TableHead>
          <TableHead scope="col" className="w-2/5 min-w-40">
            Share of failed
          </TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {reasons.map((reason) => {
          const selected = reason.key === selectedKey;
          return (
            <Fragment key={reason.key}>
              <TableRow
                data-testid="reason-row"
                data-reason-key={reason.key}
                data-count={reason.count}
                data-state={selected ? "selected" : undefined}
              >
                <TableCell className="max-w-[20rem] whitespace-normal">
                  <Link
                    href={hrefFor(reason.key)}
                    scroll={false}
                    aria-current={selected ? "true" : undefined}
                    className={cn(
                      "inline-flex items-center gap-1 rounded-sm underline-offset-4 hover:underline",
                      "focus-visible:ring-2 focus-visible:ring-ring focus-visible:ring-offset-2 focus-visible:ring-offset-background focus-visible:outline-none",
                      selected && "font-semibold",
                    )}
                  >
                    <ChevronRightIcon aria-hidden="true" className={cn("size-4 shrink-0 transition-transform", selected && "rotate-90")} />
                    <span className="break-words">{reason.label}</span>
                    {selected ? <span className="sr-only"> (its calls are in the next row)</span> : null}
                  </Link>
                </TableCell>
                <TableCell className="text-right tabular-nums">{formatCount(reason.count, locale)}</TableCell>
                <TableCell>
                  <div className="flex items-center gap-2">
                    <span className="w-12 shrink-0 text-right tabular-nums">{formatPercent(reason.share, locale)}</span>
                    <div aria-hidden="true" className="h-2 min-w-20 flex-1 overflow-hidden rounded-full bg-muted">
                      <div className="h-full rounded-full bg-status-failed" style={{ width: `${Math.min(100, reason.share * 100)}%` }} />
                    </div>
                  </div>
                </TableCell>
              </TableRow>
              {selected && expanded ? (
                <TableRow data-testid="reason-expanded" className="hover:bg-transparent">
                  <TableCell colSpan={3} className="p-0 pb-3 whitespace-normal">
                    {expanded}
                  </TableCell>
                </TableRow>
              ) : null}
            </Fragment>
          );
        })}
      </TableBody>
    </Table>
  );
}
