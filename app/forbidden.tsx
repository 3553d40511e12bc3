import { ShieldXIcon } from "lucide-react";
import Link from "next/link";

import { PageContainer } from "@/components/app-shell/page-container";
import { Button } from "@/components/ui/button";

export default function Forbidden() {
  return (
    <PageContainer className="flex flex-col items-start gap-4" data-testid="forbidden">
      <ShieldXIcon aria-hidden="true" className="size-10 text-muted-foreground" />
      <h1 className="text-2xl font-semibold tracking-tight">You do not have access to this page</h1>
      <p className="max-w-prose text-muted-foreground">Only admins can open it. Ask an admin if you need it.</p>
      <Button asChild variant="outline">
        <Link href="/">Back to your workspaces</Link>
      </Button>
    </PageContainer>
  );
}
