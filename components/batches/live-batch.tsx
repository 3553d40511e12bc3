"use client";

import dynamic from "next/dynamic";
import { useSearchParams } from "next/navigation";
import { useState } from "react";
import useSWR from "swr";

import { CallDetailSheet, CallDetailSheetById } from "@/components/call-detail/call-detail-sheet";
import { Skeleton } from "@/components/ui/skeleton";
import type { BatchPageData } from "@/lib/batches/batch-page";
import { batchViewQuery, callSheetState, type BatchView } from "@/lib/batches/view-query";

import { BatchOverview } from "./batch-overview";
import { RefreshControls } from "./refresh-controls";

const REFRESH_MS = 5_000;

// The chart library loads only here, after the page is interactive.
const BatchCharts = dynamic(() => import("./batch-charts"), {
  ssr: false,
  loading: () => (
    <div className="grid gap-4 lg:grid-cols-3" aria-busy="true" aria-label="Loading charts">
      {[0, 1, 2].map((i) => (
        <Skeleton key={i} className="h-72" />
      ))}
    </div>
  ),
});

class FetchError extends Error {
  constructor(
    readonly status: number,
    readonly body: { error?: string; kind?: string; retryAt?: string },
  ) {
    super(body.error ?? `HTTP ${status}`);
  }
}

async function fetchJson(url: string): Promise<BatchPageData> {
  const response = await fetch(url, { headers: { accept: "application/json" } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new FetchError(response.status, body);
  return body as BatchPageData;
}

/**
 * The batch page's data, kept fresh while the batch runs: one JSON read every few seconds (the
 * gateway serves every viewer of the batch from one upstream read), paused on request, stopped
 * when the batch finishes or the tab is hidden. Cards, tabs and rows render from that one read.
 */
interface Props {
  initial: BatchPageData;
  view: BatchView;
  apiPath: string;
  basePath: string;
  workspace: string;
  batchId: string;
}

/** Opens or closes the call sheet through the URL (?call=), without a server round trip. */
function setCallParam(jobId: string | null) {
  const query = callSheetState.update(new URLSearchParams(window.location.search), { call: jobId ?? "" });
  window.history.pushState(null, "", `${window.location.pathname}${query}${window.location.hash}`);
}

export function LiveBatch({ initial, view, apiPath, basePath, workspace, batchId }: Props) {
  const [paused, setPaused] = useState(false);
  const openCallId = callSheetState.parse(useSearchParams()).call || null;
  const { data, error, isValidating, mutate } = useSWR(`${apiPath}${batchViewQuery(view)}`, fetchJson, {
    fallbackData: initial,
    revalidateOnMount: false,
    // A finished batch stops refreshing, unless what is on screen is an older read standing in
    // for one Trillet did not give in time: then it keeps trying until the fresh one arrives.
    refreshInterval: (latest) => (paused || (latest?.finished && !latest.stale) ? 0 : REFRESH_MS),
    refreshWhenHidden: false,
    revalidateOnFocus: !initial.finished,
    keepPreviousData: true,
  });
  const current = data ?? initial;
  const onScreen = openCallId ? current.calls.find((c) => c.jobId === openCallId) : undefined;
  const closeCall = (open: boolean) => {
    if (!open) setCallParam(null);
  };
  return (
    <div className="flex flex-col gap-4">
      {current.finished && !current.stale ? null : (
        <RefreshControls
          data={current}
          paused={paused}
          onPausedChange={setPaused}
          refreshing={isValidating}
          onRefresh={() => void mutate()}
          error={error instanceof FetchError ? error.body : error ? { error: "The latest numbers could not be loaded." } : undefined}
        />
      )}
      <BatchOverview
        data={current}
        view={view}
        basePath={basePath}
        charts={<BatchCharts summary={current.summary} insightsUrl={`${apiPath}/insights`} running={!current.finished} />}
        onOpenCall={setCallParam}
      />
      {onScreen || !openCallId ? (
        <CallDetailSheet call={onScreen ?? null} open={Boolean(onScreen)} onOpenChange={closeCall} linkable />
      ) : (
        <CallDetailSheetById workspace={workspace} batchId={batchId} jobId={openCallId} open onOpenChange={closeCall} />
      )}
    </div>
  );
}
