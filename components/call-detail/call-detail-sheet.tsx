"use client";

import { AlertTriangleIcon, SearchXIcon } from "lucide-react";
import { useEffect, useRef } from "react";

import { formatCount } from "@/components/batches/format";
import { callFocusKey } from "@/components/data-table/focus-keys";
import { useLocale } from "@/components/locale-provider";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle } from "@/components/ui/sheet";
import { Skeleton } from "@/components/ui/skeleton";
import type { TrilletCall } from "@/lib/trillet/schemas";

import { CallDetailBody } from "./call-detail-body";
import { useCallDetail } from "./use-call-detail";

export interface CallDetailSheetProps {
  call: TrilletCall | null;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** The panel's address is the page's (`?call=`): it offers "Copy link to this call". */
  linkable?: boolean;
}

/** A call already on screen (a table row), shown in full in a side sheet. */
export function CallDetailSheet({ call, open, onOpenChange, linkable = false }: CallDetailSheetProps) {
  return (
    <DetailFrame open={open} onOpenChange={onOpenChange} jobId={call?.jobId ?? null} linkable={linkable}>
      {call ? <CallDetailBody call={call} /> : <p className="text-sm text-muted-foreground">No call selected.</p>}
    </DetailFrame>
  );
}

export interface CallDetailSheetByIdProps {
  /** Workspace slug. */
  workspace: string;
  batchId: string;
  /** The call to show (e.g. from `?call=`); null fetches nothing. */
  jobId: string | null;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}

/** A call known only by its job ID (a shared link), fetched from Batchboard's copy of the batch. */
export function CallDetailSheetById({ workspace, batchId, jobId, open, onOpenChange }: CallDetailSheetByIdProps) {
  const locale = useLocale();
  const { data, error, isLoading, mutate } = useCallDetail(workspace, batchId, open ? jobId : null);
  let body: React.ReactNode;
  if (!jobId) body = <p className="text-sm text-muted-foreground">No call selected.</p>;
  else if (error) {
    body = (
      <Alert variant="destructive" data-testid="call-detail-error">
        <AlertTriangleIcon aria-hidden="true" />
        <AlertTitle>The call could not be loaded</AlertTitle>
        <AlertDescription>
          <p>{error instanceof Error ? error.message : "Something went wrong."}</p>
          <Button variant="outline" size="sm" className="mt-2" onClick={() => void mutate()}>
            Try again
          </Button>
        </AlertDescription>
      </Alert>
    );
  } else if (isLoading || !data) body = <CallDetailSkeleton />;
  else if (!data.found) {
    body = (
      <div className="flex flex-col items-start gap-2 text-sm" data-testid="call-detail-not-found" data-reason={data.reason}>
        <SearchXIcon aria-hidden="true" className="size-8 text-muted-foreground" />
        <p className="font-medium">{data.reason === "not_copied" ? "Copying the batch" : "Call not found"}</p>
        <p className="text-muted-foreground">{data.message}</p>
        {data.reason === "not_copied" ? (
          <p className="text-muted-foreground tabular-nums" aria-live="polite" data-testid="call-detail-copying">
            {data.progress && data.progress.totalPages > 0
              ? `${formatCount(data.progress.pagesDone, locale)} of ${formatCount(data.progress.totalPages, locale)} pages copied. `
              : ""}
            The call opens here by itself once the copy has it.
          </p>
        ) : null}
      </div>
    );
  } else body = <CallDetailBody call={data.call} />;

  return (
    <DetailFrame open={open} onOpenChange={onOpenChange} jobId={jobId} linkable>
      {body}
    </DetailFrame>
  );
}

function DetailFrame({
  open,
  onOpenChange,
  jobId,
  linkable,
  children,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  jobId: string | null;
  linkable: boolean;
  children: React.ReactNode;
}) {
  // The panel may be opened through the URL (no trigger for Radix to return to), and its job ID
  // is gone from the URL by the time it has closed: remember it, and focus the row's button.
  const lastJobId = useRef<string | null>(null);
  useEffect(() => {
    if (jobId) lastJobId.current = jobId;
  }, [jobId]);
  return (
    <Sheet open={open} onOpenChange={onOpenChange}>
      <SheetContent
        className="w-full sm:max-w-lg"
        data-testid="call-detail-sheet"
        onCloseAutoFocus={(event) => {
          const id = lastJobId.current;
          const opener = id ? document.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(callFocusKey(id))}"]`) : null;
          if (!opener) return;
          event.preventDefault();
          opener.focus();
        }}
      >
        <SheetHeader className="pr-12">
          <SheetTitle>Call details</SheetTitle>
          <SheetDescription>
            {jobId ? (
              <>
                Job <span className="inline-block max-w-full font-mono text-xs break-all">{jobId}</span>
              </>
            ) : (
              "No call selected"
            )}
          </SheetDescription>
          {jobId && linkable ? <CopyLinkToCall /> : null}
        </SheetHeader>
        <div className="px-4 pb-6">{children}</div>
      </SheetContent>
    </Sheet>
  );
}

export function CallDetailSkeleton() {
  return (
    <div className="flex flex-col gap-4" aria-busy="true" aria-label="Loading call">
      {Array.from({ length: 7 }, (_, i) => (
        <div key={i} className="grid grid-cols-[6rem_1fr] gap-4">
          <Skeleton className="h-4" />
          <Skeleton className="h-4" />
        </div>
      ))}
      <Skeleton className="mt-2 h-32 w-full" />
    </div>
  );
}

function CopyLinkToCall() {
  return (
    <CopyButton
      value={() => window.location.href}
      label="Copy link to this call"
      link
      size="sm"
      className="self-start"
      description="It opens this call on the batch page."
      data-testid="copy-call-link"
    />
  );
}
