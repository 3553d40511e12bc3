import type { Metadata } from "next";
import { Suspense } from "react";

import { PageContainer } from "@/components/app-shell/page-container";
import { BatchesEmptyState } from "@/components/batches-list/batches-empty-state";
import { BatchesListSkeleton } from "@/components/batches-list/batches-list-skeleton";
import { BatchesTable } from "@/components/batches-list/batches-table";
import { OpenBatchField } from "@/components/batches-list/open-batch-field";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { requireWorkspace } from "@/lib/auth/guards";
import { batchListQuery, listBatches, parseBatchListView, type BatchListItem, type BatchListView } from "@/lib/batches/batch-list";
import { getDb } from "@/lib/db";

export const metadata: Metadata = { title: "Batches" };

interface Props {
  params: Promise<{ workspace: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export default async function BatchesPage({ params, searchParams }: Props) {
  const { workspace: slug } = await params;
  const { workspace } = await requireWorkspace(slug);
  const view = parseBatchListView(await searchParams);
  const items = listBatches(await getDb(), workspace.id, view);
  return (
    <PageContainer className="flex flex-col gap-6">
      <header className="flex flex-col gap-1">
        <p className="text-sm text-muted-foreground">{workspace.name}</p>
        <h1 className="text-2xl font-semibold tracking-tight">Batches</h1>
      </header>
      <Card className="max-w-2xl gap-4 py-4">
        <CardContent className="px-4">
          <OpenBatchField workspace={workspace.slug} />
        </CardContent>
      </Card>
      <Card className="min-w-0 gap-4">
        <CardHeader>
          <CardTitle>
            <h2>Your team&apos;s batches</h2>
          </CardTitle>
        </CardHeader>
        <CardContent className="min-w-0">
          {/* Keyed by the sort so a new order shows the skeleton, not the old rows. */}
          <Suspense key={batchListQuery(view)} fallback={<BatchesListSkeleton />}>
            <BatchesList items={items} view={view} workspace={workspace.slug} />
          </Suspense>
        </CardContent>
      </Card>
    </PageContainer>
  );
}

async function BatchesList({ items, view, workspace }: { items: Promise<BatchListItem[]>; view: BatchListView; workspace: string }) {
  const list = await items;
  if (list.length === 0) return <BatchesEmptyState />;
  return <BatchesTable items={list} view={view} workspace={workspace} />;
}
