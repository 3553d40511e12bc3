import type { Metadata } from "next";
import Link from "next/link";

import { PageContainer } from "@/components/app-shell/page-container";
import { OpenBatchField } from "@/components/batches-list/open-batch-field";
import { RecentBatches } from "@/components/batches-list/recent-batches";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { requireUser } from "@/lib/auth/guards";
import { can } from "@/lib/auth/permissions";
import { listBatches } from "@/lib/batches/batch-list";
import { getDb } from "@/lib/db";
import { requestLocale } from "@/lib/locale-server";
import { listWorkspacesFor } from "@/lib/workspaces";

export const metadata: Metadata = { title: "Workspaces" };

const RECENT_BATCHES = 5;

export default async function HomePage() {
  const user = await requireUser();
  const db = await getDb();
  const locale = await requestLocale();
  const workspaces = await listWorkspacesFor(db, user);
  // From the database only (the counts Batchboard last read): the home page never waits on Trillet.
  const batches = await Promise.all(workspaces.map((ws) => listBatches(db, ws.id, { sort: "refreshed", dir: "desc" })));
  return (
    <PageContainer className="flex flex-col gap-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Your Trillet workspaces</h1>
        <p className="text-muted-foreground">Open a batch by its ID, or paste a link a colleague shared.</p>
      </div>
      {workspaces.length === 0 ? (
        <Card className="max-w-2xl" data-testid="no-workspaces">
          <CardHeader>
            <CardTitle>No workspace yet</CardTitle>
            <CardDescription>
              {can(user, "workspaces.manage")
                ? "Add a Trillet connection under Settings › Workspaces to get started."
                : "Ask an admin to give you access to a Trillet workspace."}
            </CardDescription>
          </CardHeader>
        </Card>
      ) : null}
      {workspaces.map((ws, i) => (
        <Card key={ws.id} className="max-w-2xl">
          <CardHeader>
            <CardTitle>
              <Link href={`/w/${ws.slug}/batches`} className="hover:underline focus-visible:underline focus-visible:outline-none">
                {ws.name}
              </Link>
            </CardTitle>
            <CardDescription>Workspace “{ws.slug}”</CardDescription>
          </CardHeader>
          <CardContent className="flex flex-col gap-4">
            <RecentBatches items={batches[i]!.slice(0, RECENT_BATCHES)} total={batches[i]!.length} workspace={ws.slug} locale={locale} />
            <OpenBatchField workspace={ws.slug} />
          </CardContent>
        </Card>
      ))}
    </PageContainer>
  );
}
