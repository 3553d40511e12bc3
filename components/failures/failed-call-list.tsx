"use client";

import { ChevronRightIcon, PanelRightOpenIcon } from "lucide-react";
import { useId, useState } from "react";

import { LocalTime } from "@/components/batches/local-time";
import { CallDetailSheet } from "@/components/call-detail/call-detail-sheet";
import { MetadataTable } from "@/components/call-detail/metadata-table";
import { callFocusKey } from "@/components/data-table/focus-keys";
import { Button } from "@/components/ui/button";
import type { TrilletCall } from "@/lib/trillet/schemas";
import { cn } from "@/lib/utils";

/** Failed calls, each opening in place to its metadata, or in full in the call detail sheet. */
export function FailedCallList({ calls }: { calls: TrilletCall[] }) {
  const [detail, setDetail] = useState<TrilletCall | null>(null);
  const [open, setOpen] = useState(false);
  return (
    <>
      <ul className="flex flex-col gap-2" data-testid="failed-calls">
        {calls.map((call) => (
          <FailedCallItem
            key={call.jobId}
            call={call}
            onDetails={() => {
              setDetail(call);
              setOpen(true);
            }}
          />
        ))}
      </ul>
      {/* The call stays set while the sheet closes, so it does not go blank mid-animation. */}
      <CallDetailSheet call={detail} open={open} onOpenChange={setOpen} />
    </>
  );
}

function FailedCallItem({ call, onDetails }: { call: TrilletCall; onDetails: () => void }) {
  const [expanded, setExpanded] = useState(false);
  const panelId = useId();
  return (
    <li className="rounded-lg border" data-testid="failed-call" data-job-id={call.jobId}>
      <div className="flex flex-wrap items-center gap-x-4 gap-y-1 p-2">
        <Button
          variant="ghost"
          size="sm"
          aria-expanded={expanded}
          aria-controls={panelId}
          onClick={() => setExpanded((v) => !v)}
          className="font-mono text-xs"
        >
          <ChevronRightIcon aria-hidden="true" className={cn("transition-transform", expanded && "rotate-90")} />
          {call.phoneNumber}
          <span className="sr-only">, metadata</span>
        </Button>
        <span className="min-w-0 flex-1 text-sm break-words">
          {call.error ?? <span className="text-muted-foreground">No reason given</span>}
        </span>
        <span className="text-xs text-muted-foreground">
          <span className="sr-only">Ended </span>
          <LocalTime ms={call.endTime} />
        </span>
        <Button variant="outline" size="sm" onClick={onDetails} data-focus-key={callFocusKey(call.jobId)}>
          <PanelRightOpenIcon aria-hidden="true" />
          Details<span className="sr-only"> of call {call.jobId}</span>
        </Button>
      </div>
      <div id={panelId} hidden={!expanded} className="border-t px-3 py-2">
        {expanded ? (
          <>
            <p className="mb-2 font-mono text-xs break-all text-muted-foreground">Job {call.jobId}</p>
            <MetadataTable metadata={call.metadata} caption={`Metadata of call ${call.jobId}`} />
          </>
        ) : null}
      </div>
    </li>
  );
}
