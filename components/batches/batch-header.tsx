import { AlertTriangleIcon } from "lucide-react";
import Link from "next/link";

import { Button } from "@/components/ui/button";
import { failuresHref } from "@/lib/batches/drilldown-view";

import { CopyLinkButton } from "./copy-link-button";

interface Props {
  workspaceName: string;
  workspaceSlug: string;
  batchId: string;
  label?: string;
  /** Extra actions (the export menu). */
  actions?: React.ReactNode;
}

export function BatchHeader({ workspaceName, workspaceSlug, batchId, label, actions }: Props) {
  const batchesPath = `/w/${workspaceSlug}/batches`;
  return (
    <header className="relative flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between">
      <div className="flex min-w-0 flex-col gap-1">
        <nav aria-label="Breadcrumb" className="text-sm text-muted-foreground">
          <Link
            href="/"
            className="rounded-sm hover:text-foreground focus-visible:ring-2 focus-visible:ring-ring focus-visible:ring-offset-2 focus-visible:ring-offset-background focus-visible:outline-none"
          >
            {workspaceName}
          </Link>
          <span aria-hidden="true"> / </span>
          <Link
            href={batchesPath}
            className="rounded-sm hover:text-foreground focus-visible:ring-2 focus-visible:ring-ring focus-visible:ring-offset-2 focus-visible:ring-offset-background focus-visible:outline-none"
          >
            Batches
          </Link>
        </nav>
        <h1 className="text-2xl font-semibold tracking-tight break-all">
          {label ? (
            <>
              {label} <span className="font-mono text-base font-normal text-muted-foreground">{batchId}</span>
            </>
          ) : (
            <>
              Batch <span className="font-mono">{batchId}</span>
            </>
          )}
        </h1>
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <Button asChild variant="outline" size="sm">
          <Link href={failuresHref(`${batchesPath}/${encodeURIComponent(batchId)}`)}>
            <AlertTriangleIcon aria-hidden="true" /> Failures
          </Link>
        </Button>
        <CopyLinkButton />
        {actions}
      </div>
    </header>
  );
}
