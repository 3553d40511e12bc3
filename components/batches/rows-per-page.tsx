import Link from "next/link";

import { batchViewQuery, PAGE_SIZES, type BatchView } from "@/lib/batches/view-query";
import { cn } from "@/lib/utils";

/** Page sizes as links (the URL holds the view); focus stays on the one pressed. */
export function RowsPerPage({ basePath, view }: { basePath: string; view: BatchView }) {
  return (
    <nav aria-label="Rows per page" className="flex items-center gap-1 text-sm">
      <span className="text-muted-foreground">Rows</span>
      {PAGE_SIZES.map((size) => (
        <Link
          key={size}
          href={`${basePath}${batchViewQuery({ ...view, limit: size, page: 1 })}`}
          aria-current={size === view.limit ? "true" : undefined}
          data-focus-key={`rows-${size}`}
          className={cn(
            "rounded-md px-2 py-1 tabular-nums focus-visible:ring-2 focus-visible:ring-ring focus-visible:ring-offset-2 focus-visible:ring-offset-background focus-visible:outline-none",
            size === view.limit ? "bg-muted font-medium" : "text-muted-foreground hover:text-foreground",
          )}
        >
          {size}
        </Link>
      ))}
    </nav>
  );
}
