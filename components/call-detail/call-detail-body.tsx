import { formatDuration } from "@/components/batches/format";
import { StatusBadge } from "@/components/batches/status-badge";
import type { TrilletCall } from "@/lib/trillet/schemas";

import { DualTime } from "./dual-time";
import { MetadataTable } from "./metadata-table";

/** Every field of one call, then its metadata. Shared by the sheet and any page that shows a call. */
export function CallDetailBody({ call }: { call: TrilletCall }) {
  return (
    <div className="flex flex-col gap-6" data-testid="call-detail" data-job-id={call.jobId}>
      {/* The whole width: a UUID beside its label would leave a character or two on a line of its own at 390 px. */}
      <dl className="-mb-3 flex flex-col gap-1 text-sm">
        <dt className="text-muted-foreground">Job ID</dt>
        <dd className="min-w-0">
          <span className="block rounded-md bg-muted px-2 py-1 font-mono text-xs break-all select-all" data-testid="call-job-id">
            {call.jobId}
          </span>
        </dd>
      </dl>
      <dl className="grid grid-cols-[minmax(6rem,auto)_1fr] gap-x-4 gap-y-3 text-sm">
        <Field label="Status">
          <StatusBadge status={call.status} />
        </Field>
        <Field label="Phone number">
          {/* Exactly as Trillet sent it: no reformatting, so it matches the uploaded file. */}
          <span className="font-mono text-xs break-all" data-testid="call-phone">
            {call.phoneNumber}
          </span>
        </Field>
        <Field label="Started">
          <DualTime ms={call.startTime} />
        </Field>
        <Field label="Ended">
          <DualTime ms={call.endTime} />
        </Field>
        <Field label="Duration">
          <span className="tabular-nums">{formatDuration(call.durationSec)}</span>
        </Field>
        <Field label="Error">
          {call.error ? (
            <span className="break-words whitespace-pre-wrap" data-testid="call-error">
              {call.error}
            </span>
          ) : (
            <span className="text-muted-foreground">—</span>
          )}
        </Field>
      </dl>
      <section className="flex flex-col gap-2">
        <h3 className="text-sm font-semibold">Metadata</h3>
        <MetadataTable metadata={call.metadata} caption={`Metadata of call ${call.jobId}`} />
      </section>
    </div>
  );
}

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <>
      <dt className="text-muted-foreground">{label}</dt>
      <dd className="min-w-0">{children}</dd>
    </>
  );
}
