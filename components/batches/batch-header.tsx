import Link from "next/link";

export function BatchHeader({ workspaceName, batchId }: { workspaceName: string; batchId: string }) {
  return (
    <header className="flex flex-col gap-1">
      <nav aria-label="Breadcrumb" className="text-sm text-muted-foreground">
        <Link href="/" className="hover:text-foreground focus-visible:underline focus-visible:outline-none">
          {workspaceName}
        </Link>
        <span aria-hidden="true"> / </span>
        <span>Batches</span>
      </nav>
      <h1 className="text-2xl font-semibold tracking-tight break-all">
        Batch <span className="font-mono">{batchId}</span>
      </h1>
    </header>
  );
}
