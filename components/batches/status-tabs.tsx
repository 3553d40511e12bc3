import Link from "next/link";

import { useLocale } from "@/components/locale-provider";
import { ScrollCue } from "@/components/ui/scroll-cue";
import { batchViewQuery, STATUS_TABS, type BatchView, type StatusTab } from "@/lib/batches/view-query";
import type { BatchSummary } from "@/lib/trillet/schemas";
import { cn } from "@/lib/utils";

import { formatCount } from "./format";

const LABELS: Record<StatusTab, string> = {
  all: "All",
  waiting: "Waiting",
  active: "Active",
  completed: "Completed",
  failed: "Failed",
};

/** Status filters as links, so each is a shareable URL and works without JavaScript. */
export function StatusTabs({ basePath, view, summary }: { basePath: string; view: BatchView; summary: BatchSummary }) {
  const locale = useLocale();
  return (
    <nav aria-label="Filter calls by status" className="max-w-full min-w-0" data-testid="status-tabs">
      {/* On a narrow screen the tabs scroll: a shadow shows there are more, and the current one is brought into view. */}
      <ScrollCue activeSelector='[aria-current="page"]' activeKey={view.status} className="rounded-lg">
        <ul className="inline-flex min-w-max items-center gap-1 rounded-lg bg-muted p-1">
          {STATUS_TABS.map((tab) => {
            const current = tab === view.status;
            const count = tab === "all" ? summary.total : summary[tab];
            return (
              <li key={tab}>
                <Link
                  href={`${basePath}${batchViewQuery({ ...view, status: tab, page: 1 })}`}
                  aria-current={current ? "page" : undefined}
                  data-focus-key={`status-tab-${tab}`}
                  className={cn(
                    "inline-flex items-center gap-1.5 rounded-md px-3 py-1.5 text-sm font-medium transition-colors",
                    "focus-visible:ring-2 focus-visible:ring-ring focus-visible:ring-offset-2 focus-visible:ring-offset-background focus-visible:outline-none",
                    current ? "bg-background text-foreground shadow-sm" : "text-muted-foreground hover:text-foreground",
                  )}
                >
                  {LABELS[tab]}
                  <span className="rounded-sm bg-muted-foreground/10 px-1.5 text-xs tabular-nums" data-testid={`tab-count-${tab}`}>
                    {formatCount(count, locale)}
                  </span>
                </Link>
              </li>
            );
          })}
        </ul>
      </ScrollCue>
    </nav>
  );
}
