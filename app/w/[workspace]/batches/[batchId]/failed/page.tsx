import { CircleCheckIcon } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PageContainer } from "@/components/app-shell/page-container";
import { formatCount } from "@/components/batches/format";
import { CopyingState } from "@/components/failures/copying-state";
import { FailedCallList } from "@/components/failures/failed-call-list";
import { FailedCallsPagination } from "@/components/failures/failed-calls-pagination";
import { FailureTotals } from "@/components/failures/failure-totals";
import { FailuresHeader } from "@/components/failures/failures-header";
import { ReasonTable } from "@/components/failures/reason-table";
import { ExportMenu } from "@/components/reports/export-menu";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { requireWorkspace } from "@/lib/auth/guards";
import { batchIdSchema } from "@/lib/batches/batch-id";
import { getDb } from "@/lib/db";
import { drilldownQuery, FAILED_PAGE_SIZE, loadFailureDrilldown, parseDrilldownView, type SelectedReason } from "./drilldown";

interface Props {
  params: Promise<{ workspace: string; batchId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { batchId } = await params;
  return { title: `Failed calls · ${safeDecode(batchId) ?? "batch"}` };
}

// Everything is read from the database before rendering (no Trillet request), so an unknown
// batch answers a real 404 instead of a streamed one.
export default async function FailedCallsPage({ params, searchParams }: Props) {
  const { workspace: slug, batchId: rawId } = await params;
  const { workspace } = await requireWorkspace(slug);
  const batchId = batchIdSchema.safeParse(safeDecode(rawId));
  if (!batchId.success) notFound();

  const view = parseDrilldownView(await searchParams);
  const data = await loadFailureDrilldown(await getDb(), workspace.id, batchId.data, view);
  if (data.state === "unknown") notFound();

  const batchHref = `/w/${workspace.slug}/batches/${encodeURIComponent(batchId.data)}`;
  const failedHref = `${batchHref}/failed`;
  return (
    <PageContainer className="flex flex-col gap-6">
      <FailuresHeader
        workspaceName={workspace.name}
        workspaceSlug={workspace.slug}
        batchId={batchId.data}
        batchHref={batchHref}
        actions={
          <ExportMenu
            exportPath={`/api/w/${workspace.slug}/batches/${encodeURIComponent(batchId.data)}/export`}
            batchId={batchId.data}
            view={{ status: "failed", reason: data.state === "ready" ? data.selected?.reason.key : undefined }}
            viewLabel={data.state === "ready" && data.selected ? "This reason" : "Failed calls"}
          />
        }
      />
      {data.state === "copying" ? (
        <CopyingState mirror={data.mirror} batchHref={batchHref} />
      ) : (
        <>
          <FailureTotals
            failedTotal={data.failedTotal}
            reasonsTotal={data.reasonsTotal}
            reasonCount={data.reasons.length}
            batchTotal={data.summary.total}
            copiedAt={data.copiedAt}
            frozen={data.mirror.frozen}
          />
          {data.reasons.length === 0 ? (
            <NoFailures batchHref={batchHref} />
          ) : (
            <Card>
              <CardHeader>
                <CardTitle>
                  <h2>Reasons</h2>
                </CardTitle>
                <CardDescription>Most frequent first. Choose a reason to list its calls.</CardDescription>
              </CardHeader>
              <CardContent>
                <ReasonTable
                  reasons={data.reasons}
                  selectedKey={data.selected?.reason.key ?? null}
                  hrefFor={(key) => `${failedHref}${drilldownQuery({ reason: key })}`}
                />
              </CardContent>
            </Card>
          )}
          {data.selected ? <ReasonCalls selected={data.selected} failedHref={failedHref} /> : null}
        </>
      )}
    </PageContainer>
  );
}

function ReasonCalls({ selected, failedHref }: { selected: SelectedReason; failedHref: string }) {
  const { reason, calls, total, page } = selected;
  return (
    <Card id="reason-calls" data-testid="reason-calls" data-reason-key={reason.key} role="region" aria-labelledby="reason-calls-title">
      <CardHeader className="flex flex-col gap-2 sm:flex-row sm:items-start sm:justify-between">
        <div className="flex min-w-0 flex-col gap-1.5">
          <CardTitle className="break-words">
            <h2 id="reason-calls-title">Calls that failed with “{reason.label}”</h2>
          </CardTitle>
          <CardDescription className="tabular-nums">
            {formatCount(total)} failed {total === 1 ? "call" : "calls"}, in Trillet&apos;s order
          </CardDescription>
        </div>
        <Button asChild variant="ghost" size="sm">
          <Link href={failedHref} scroll={false}>
            Clear selection
          </Link>
        </Button>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {calls.length > 0 ? (
          <FailedCallList calls={calls} />
        ) : (
          <p className="text-sm text-muted-foreground">No calls on this page.</p>
        )}
        <FailedCallsPagination
          page={page}
          pageSize={FAILED_PAGE_SIZE}
          total={total}
          hrefFor={(p) => `${failedHref}${drilldownQuery({ reason: reason.key, page: p })}`}
        />
      </CardContent>
    </Card>
  );
}

function NoFailures({ batchHref }: { batchHref: string }) {
  return (
    <div className="flex flex-col items-center gap-3 rounded-lg border border-dashed px-4 py-10 text-center" data-testid="no-failures">
      <CircleCheckIcon aria-hidden="true" className="size-8 text-status-completed" />
      <p className="font-medium">No failed calls in this batch</p>
      <Button asChild variant="outline" size="sm">
        <Link href={batchHref}>Back to the batch</Link>
      </Button>
    </div>
  );
}

/** A malformed escape (%E0) in a pasted link is a batch that cannot exist, not a server error. */
function safeDecode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}
