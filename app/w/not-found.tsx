import { SearchXIcon } from "lucide-react";
import Link from "next/link";

import { PageContainer } from "@/components/app-shell/page-container";
import { Button } from "@/components/ui/button";

// The 404 of a workspace address (app/w/[workspace]/layout.tsx): one that does not exist and one
// this person may not see read alike, so the page never tells which.
export default function WorkspaceNotFound() {
  return (
    <PageContainer className="flex flex-col items-start gap-4" data-testid="workspace-not-found">
      <SearchXIcon aria-hidden="true" className="size-10 text-muted-foreground" />
      <h1 className="text-2xl font-semibold tracking-tight">Workspace not found</h1>
      <p className="max-w-prose text-muted-foreground">
        No workspace has this address, or you do not have access to it: ask an admin. Check the link you were given.
      </p>
      <Button asChild variant="outline">
        <Link href="/">Back to Batchboard</Link>
      </Button>
    </PageContainer>
  );
}
