import Link from "next/link";

import { formatCount } from "@/components/batches/format";
import type { BatchListItem } from "@/lib/batches/batch-list";

import { BatchStatusBadge } from "./batch-status-badge";

interface Props {
  items: BatchListItem[];
  /** Workspace slug. */
  workspace: string;
  /** How many batches the workspace tracks in all. */
  total: number;
  /** The viewer's locale for numbers (requestLocale). */
  locale: string;
}

/** The home page's short list: the batches the team looked at last, one click from each. */
export function RecentBatches({ items, workspace, total, locale }: Props) {
  const basePath = `/w/${workspace}/batches`;
  if (items.length === 0) {
    return (
      <p className="text-sm text-muted-foreground" data-testid="recent-batches-empty">
        No batch opened yet. Open one by its ID below; it will be listed here for the whole team.
      </p>
    );
  }
  return (
    <div className="flex flex-col gap-2">
      <h3 className="text-sm font-medium">Recent batches</h3>
      <ul className="divide-y rounded-md border" data-testid="recent-batches">
        {items.map((item) => (
          <li key={item.batchId} className="flex flex-wrap items-center gap-x-3 gap-y-1 px-3 py-2">
            <Link
              href={`${basePath}/${encodeURIComponent(item.batchId)}`}
              className="min-w-0 flex-1 truncate font-medium underline-offset-4 hover:underline"
              title={item.label ? `${item.label} (${item.batchId})` : item.batchId}
            >
              {item.label || <span className="font-mono text-sm">{item.batchId}</span>}
            </Link>
            <BatchStatusBadge status={item.status} />
            <span className="text-sm text-muted-foreground tabular-nums">
              {item.summary
                ? `${formatCount(item.summary.completed + item.summary.failed, locale)} of ${formatCount(item.summary.total, locale)} calls done`
                : "Not read yet"}
            </span>
          </li>
        ))}
      </ul>
      <Link href={basePath} className="self-start text-sm underline underline-offset-4">
        All {formatCount(total, locale)} batches
      </Link>
    </div>
  );
}
