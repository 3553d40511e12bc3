import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Suspense } from "react";

import { PageContainer } from "@/components/app-shell/page-container";
import { BatchErrorState } from "@/components/batches/batch-error-state";
import { BatchHeader } from "@/components/batches/batch-header";
import { BatchOverviewSkeleton } from "@/components/batches/batch-overview";
import { LiveBatch } from "@/components/batches/live-batch";
import { LocalTime } from "@/components/batches/local-time";
import { BatchLineage } from "@/components/loop/batch-lineage";
import { CancelButton, RetryButton } from "@/components/loop/loop-buttons";
import { ExportMenu } from "@/components/reports/export-menu";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { requireWorkspace } from "@/lib/auth/guards";
import { loadBatchLoop } from "@/lib/batches/batch-loop";
import { getBatchPage } from "@/lib/batches/batch-page";
import { batchTabName } from "@/lib/batches/batch-tab-name";
import { batchViewQuery, parseBatchView, type BatchView } from "@/lib/batches/search-params";
import { getDb } from "@/lib/db";
import { decodeSegment } from "@/lib/http/segments";
import { batchIdSchema } from "@/lib/trillet/batch-id";
import { isForeignRateLimit, isTrilletError, retryAtOf } from "@/lib/trillet/errors";
import type { Workspace } from "@/lib/workspaces";

interface Props {
  params: Promise<{ workspace: string; batchId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { workspace, batchId } = await params;
  const { id, label } = await batchTabName(workspace, batchId);
  return { title: label || `Batch ${id ?? ""}`.trim() };
}

export default async function BatchPage({ params, searchParams }: Props) {
  const { workspace: slug, batchId: rawId } = await params;
  const { user, workspace } = await requireWorkspace(slug);
  const batchId = batchIdSchema.safeParse(decodeSegment(rawId, "page"));
  if (!batchId.success) notFound();

  const view = parseBatchView(await searchParams);
  const basePath = `/w/${workspace.slug}/batches/${encodeURIComponent(batchId.data)}`;
  const apiPath = `/api/w/${workspace.slug}/batches/${encodeURIComponent(batchId.data)}`;
  const loop = await loadBatchLoop(await getDb(), user, workspace, batchId.data);
  return (
    <PageContainer className="flex flex-col gap-6">
      <BatchHeader
        workspaceName={workspace.name}
        workspaceSlug={workspace.slug}
        batchId={batchId.data}
        label={loop.label ?? undefined}
        actions={
          <>
            {loop.canStart && loop.failed > 0 ? (
              <RetryButton
                workspace={workspace.slug}
                batchId={batchId.data}
                reason=""
                failedCount={loop.failed}
                defaultAgentId={loop.defaultAgentId}
              />
            ) : null}
            {loop.canCancel && loop.running ? (
              <CancelButton workspace={workspace.slug} batchId={batchId.data} apiPath={apiPath} waiting={loop.waiting ?? 0} />
            ) : null}
            <ExportMenu
              exportPath={`${apiPath}/export`}
              batchId={batchId.data}
              view={{ status: view.status, reason: view.reason, q: view.q }}
            />
          </>
        }
      />
      {loop.cancelledAt ? (
        <Alert data-testid="batch-cancelled">
          <AlertTitle>Cancelled</AlertTitle>
          <AlertDescription>
            <span>
              Cancelled <LocalTime ms={loop.cancelledAt.getTime()} />: the calls that were still waiting were not made.
            </span>
          </AlertDescription>
        </Alert>
      ) : null}
      {loop.funnel ? <BatchLineage funnel={loop.funnel} batchId={batchId.data} batchesPath={`/w/${workspace.slug}/batches`} /> : null}
      {/* Keyed by the view so a new filter or page shows the skeleton, not stale rows. */}
      <Suspense key={batchViewQuery(view)} fallback={<BatchOverviewSkeleton />}>
        <BatchData workspace={workspace} userId={user.id} batchId={batchId.data} view={view} basePath={basePath} />
      </Suspense>
    </PageContainer>
  );
}

interface DataProps {
  workspace: Workspace;
  userId: string;
  batchId: string;
  view: BatchView;
  basePath: string;
}

async function BatchData({ workspace, userId, batchId, view, basePath }: DataProps) {
  const result = await getBatchPage(await getDb(), workspace, batchId, view, userId).then(
    (data) => ({ data }),
    (error: unknown) => ({ error }),
  );
  if ("data" in result) {
    return (
      <LiveBatch
        initial={result.data}
        view={view}
        basePath={basePath}
        apiPath={`/api/w/${workspace.slug}/batches/${encodeURIComponent(batchId)}`}
        workspace={workspace.slug}
        batchId={batchId}
      />
    );
  }
  const { error } = result;
  // Typed upstream failures get a page a person can act on; anything else is a bug for error.tsx.
  if (!isTrilletError(error)) throw error;
  if (error.kind === "not_found") notFound();
  return (
    <BatchErrorState
      kind={error.kind}
      retryAt={retryAtOf(error)}
      foreign={isForeignRateLimit(error)}
      retryHref={`${basePath}${batchViewQuery(view)}`}
    />
  );
}
