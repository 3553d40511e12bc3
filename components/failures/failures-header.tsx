import { ArrowLeftIcon } from "lucide-react";
import Link from "next/link";

import { Button } from "@/components/ui/button";

interface Props {
  workspaceName: string;
  workspaceSlug: string;
  batchId: string;
  batchHref: string;
  /** Extra actions (the export menu). */
  actions?: React.ReactNode;
}

export function FailuresHeader({ workspaceName, workspaceSlug, batchId, batchHref, actions }: Props) {
  const crumb =
    "rounded-sm hover:text-foreground focus-visible:ring-2 focus-visible:ring-ring focus-visible:ring-offset-2 focus-visible:ring-offset-background focus-visible:outline-none";
  return (
    <header className="relative flex flex-col gap-3">
      <nav aria-label="Breadcrumb" className="text-sm text-muted-foreground">
        <ol className="flex flex-wrap items-center gap-x-1">
          <li>
            {workspaceName}
            <span aria-hidden="true"> /</span>
          </li>
          <li>
            <Link href={`/w/${workspaceSlug}/batches`} className={crumb}>
              Batches
            </Link>
            <span aria-hidden="true"> /</span>
          </li>
          <li className="min-w-0 break-all">
            <Link href={batchHref} className={`${crumb} font-mono`}>
              {batchId}
            </Link>
            <span aria-hidden="true"> /</span>
          </li>
          <li aria-current="page">Failed calls</li>
        </ol>
      </nav>
      <div className="flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between">
        <h1 className="text-2xl font-semibold tracking-tight break-all">
          Failed calls in <span className="font-mono">{batchId}</span>
        </h1>
        <div className="flex flex-wrap items-start gap-2 self-start sm:self-auto">
          <Button asChild variant="outline" size="sm">
            <Link href={batchHref} data-testid="back-to-batch">
              <ArrowLeftIcon aria-hidden="true" />
              Back to the batch
            </Link>
          </Button>
          {actions}
        </div>
      </div>
    </header>
  );
}
