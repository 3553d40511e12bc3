import { ChevronLeftIcon, ChevronRightIcon } from "lucide-react";
import Link from "next/link";
import type { ReactNode } from "react";

import { formatCount } from "@/components/batches/format";

import { PageLink } from "./page-link";

interface Props {
  page: number;
  pageSize: number;
  total: number;
  /** The address of a page (1-based). */
  hrefFor: (page: number) => string;
  /** The accessible name of the page buttons' navigation ("Pagination", "Audit log pages"). */
  label: string;
  /** What the range counts, after the total ("events"); nothing for plain rows. */
  unit?: string;
  /** Test id of the range text. */
  rangeTestId: string;
  /** Words on the buttons instead of arrows alone (e.g. "Newer" and "Older" for a log). */
  prevText?: string;
  nextText?: string;
  /** Keep the scroll position (a list below the fold). */
  keepScroll?: boolean;
  /** The viewer's locale (useLocale in the browser, requestLocale on the server). */
  locale: string;
  /** More controls beside the page buttons (e.g. rows per page). */
  children?: ReactNode;
}

/**
 * The one pagination of every table: "1–50 of 1,000", the previous and next buttons around "Page
 * 1 of 20", and past the last page a sentence with a link back to it. The buttons keep their
 * focus keys, so focus stays on the one pressed when the new page replaces the table.
 */
export function Pagination({
  page,
  pageSize,
  total,
  hrefFor,
  label,
  unit,
  rangeTestId,
  prevText,
  nextText,
  keepScroll,
  locale,
  children,
}: Props) {
  const totalPages = Math.max(1, Math.ceil(total / pageSize));
  const from = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const to = Math.min(total, page * pageSize);
  const scroll = keepScroll ? false : undefined;
  const suffix = unit ? ` ${unit}` : "";
  return (
    <div className="flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
      <p className="text-sm text-muted-foreground tabular-nums" data-testid={rangeTestId}>
        {page > totalPages ? (
          <>
            Page {formatCount(page, locale)} is past the last page ({formatCount(totalPages, locale)}).{" "}
            <Link
              href={hrefFor(totalPages)}
              scroll={scroll}
              className="rounded-sm font-medium text-foreground underline underline-offset-4 focus-visible:ring-2 focus-visible:ring-ring focus-visible:ring-offset-2 focus-visible:ring-offset-background focus-visible:outline-none"
            >
              Go to the last page
            </Link>
          </>
        ) : (
          `${formatCount(from, locale)}–${formatCount(to, locale)} of ${formatCount(total, locale)}${suffix}`
        )}
      </p>
      <div className="flex flex-wrap items-center gap-3">
        {children}
        <nav aria-label={label} className="flex items-center gap-1">
          <PageLink
            href={page > 1 ? hrefFor(Math.min(page - 1, totalPages)) : null}
            label={prevText ? undefined : "Previous page"}
            rel="prev"
            size={prevText ? "sm" : "icon"}
            scroll={scroll}
            focusKey="page-prev"
          >
            <ChevronLeftIcon aria-hidden="true" />
            {prevText}
          </PageLink>
          <span className="px-2 text-sm tabular-nums">
            Page {formatCount(page, locale)} of {formatCount(totalPages, locale)}
          </span>
          <PageLink
            href={page < totalPages ? hrefFor(page + 1) : null}
            label={nextText ? undefined : "Next page"}
            rel="next"
            size={nextText ? "sm" : "icon"}
            scroll={scroll}
            focusKey="page-next"
          >
            {nextText}
            <ChevronRightIcon aria-hidden="true" />
          </PageLink>
        </nav>
      </div>
    </div>
  );
}
