import { SearchXIcon } from "lucide-react";
import Link from "next/link";

import { PageContainer } from "@/components/app-shell/page-container";
import { Button } from "@/components/ui/button";

export default function BatchNotFound() {
  return (
    <PageContainer className="flex flex-col items-start gap-4" data-testid="batch-not-found">
      <SearchXIcon aria-hidden="true" className="size-10 text-muted-foreground" />
      <h1 className="text-2xl font-semibold tracking-tight">Batch not found in this workspace</h1>
      <p className="max-w-prose text-muted-foreground">
        Trillet has no batch with this ID in this workspace, or the ID is not valid. Check the ID or the link you were given, and that you
        opened the right workspace.
      </p>
      <Button asChild variant="outline">
        <Link href="/">Back to Batchboard</Link>
      </Button>
    </PageContainer>
  );
}
