import { DownloadIcon } from "lucide-react";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Suspense } from "react";

import { PageContainer } from "@/components/app-shell/page-container";
import { BatchErrorState } from "@/components/batches/batch-error-state";
import { CopyingState } from "@/components/failures/copying-state";
import { DrilldownSkeleton } from "@/components/failures/drilldown-skeleton";
import { FailuresHeader } from "@/components/failures/failures-header";
import { UpstreamFailures } from "@/components/failures/upstream-failures";
import { RetryButton } from "@/components/loop/loop-buttons";
import { ExportMenu } from "@/components/reports/export-menu";
import { Button } from "@/components/ui/button";
import { requireWorkspace } from "@/lib/auth/guards";
import { loadBatchLoop } from "@/lib/batches/batch-loop";
import { batchTabName } from "@/lib/batches/batch-tab-name";
import { drilldownQuery, failuresHref, parseDrilldownView, type DrilldownView } from "@/lib/batches/drilldown-view";
import { getDb } from "@/lib/db";
import { decodeSegment } from "@/lib/http/segments";
import { batchIdSchema } from "@/lib/trillet/batch-id";
import { isTrilletError, retryAtOf } from "@/lib/trillet/errors";

import { loadFailureDrilldown, type FailureDrilldown } from "./drilldown";
import { ReadyDrilldown, type RetryTarget } from "./ready-drilldown";

interface Props {
  params: Promise<{ workspace: string; batchId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { workspace, batchId } = await params;
  const { id, label } = await batchTabName(workspace, batchId);
  return { title: `Failed calls · ${label || id || "batch"}` };
}

/** The data, or the error that stopped it: never a rejected promise left for nobody to catch. */
type Loaded = { data: FailureDrilldown } | { error: unknown };

// The header streams at once; the data part follows within the read deadline. It reads the
// database only, except on a batch's first open (or while it is being copied), which asks Trillet.
export default async function FailedCallsPage({ params, searchParams }: Props) {
  const { workspace: slug, batchId: rawId } = await params;
  const { user, workspace } = await requireWorkspace(slug);
  const batchId = batchIdSchema.safeParse(decodeSegment(rawId, "page"));
  if (!batchId.success) notFound();

  const view = parseDrilldownView(await searchParams);
  const loaded: Promise<Loaded> = loadFailureDrilldown(await getDb(), workspace, batchId.data, view, user.id).then(
    (data) => ({ data }),
    (error: unknown) => ({ error }),
  );
  const batchHref = `/w/${workspace.slug}/batches/${encodeURIComponent(batchId.data)}`;
  const exportPath = `/api/w/${workspace.slug}/batches/${encodeURIComponent(batchId.data)}/export`;
  const loop = await loadBatchLoop(await getDb(), user, workspace, batchId.data);
  const retry: RetryTarget | null = loop.canStart
    ? { workspace: workspace.slug, batchId: batchId.data, defaultAgentId: loop.defaultAgentId }
    : null;
  return (
    <PageContainer className="flex flex-col gap-6">
      <FailuresHeader
        workspaceName={workspace.name}
        workspaceSlug={workspace.slug}
        batchId={batchId.data}
        batchHref={batchHref}
        actions={
          // The menu's "this reason" needs the data; a stand-in until then, so no open menu is swapped away.
          <>
            {retry && loop.failed > 0 ? <RetryButton {...retry} reason="" failedCount={loop.failed} /> : null}
            <Suspense fallback={<ExportPlaceholder />}>
              <DrilldownExport loaded={loaded} exportPath={exportPath} batchId={batchId.data} />
            </Suspense>
          </>
        }
      />
      {/* Keyed by the view so a new reason or page shows the skeleton, not the previous calls. */}
      <Suspense key={drilldownQuery(view)} fallback={<DrilldownSkeleton />}>
        <DrilldownData loaded={loaded} view={view} batchHref={batchHref} retry={retry} />
      </Suspense>
    </PageContainer>
  );
}

async function DrilldownExport({ loaded, exportPath, batchId }: { loaded: Promise<Loaded>; exportPath: string; batchId: string }) {
  const result = await loaded;
  const reason = "data" in result && result.data.state === "ready" ? result.data.selected?.reason.key : undefined;
  return (
    <ExportMenu
      exportPath={exportPath}
      batchId={batchId}
      view={{ status: "failed", reason }}
      viewLabel={reason ? "This reason" : "Failed calls"}
    />
  );
}

function ExportPlaceholder() {
  return (
    <Button variant="outline" size="sm" disabled aria-label="Export calls as CSV (loading)">
      <DownloadIcon aria-hidden="true" /> Export
    </Button>
  );
}

async function DrilldownData({
  loaded,
  view,
  batchHref,
  retry,
}: {
  loaded: Promise<Loaded>;
  view: DrilldownView;
  batchHref: string;
  retry: RetryTarget | null;
}) {
  const result = await loaded;
  if ("error" in result) {
    const { error } = result;
    // Typed upstream failures get a page a person can act on; anything else is a bug for error.tsx.
    if (!isTrilletError(error)) throw error;
    if (error.kind === "not_found") notFound();
    return <BatchErrorState kind={error.kind} retryAt={retryAtOf(error)} retryHref={failuresHref(batchHref, view)} />;
  }
  const { data } = result;
  if (data.state === "ready") return <ReadyDrilldown data={data} batchHref={batchHref} retry={retry} />;
  return (
    <>
      <CopyingState mirror={data.mirror} batchHref={batchHref} />
      {data.upstream.ok ? (
        <UpstreamFailures
          failures={data.upstream.failures}
          hrefFor={(page) => failuresHref(batchHref, { page })}
          reasonAsked={view.reason !== ""}
        />
      ) : (
        <BatchErrorState kind={data.upstream.kind} retryAt={data.upstream.retryAt} retryHref={failuresHref(batchHref, view)} />
      )}
    </>
  );
}
