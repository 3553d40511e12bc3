"use client";

import { RotateCcwIcon } from "lucide-react";
import Link from "next/link";
import { useEffect, useId, useMemo, useState } from "react";

import { previewRetry, startRetryBatch } from "@/app/w/[workspace]/batches/[batchId]/loop-actions";
import { formatCount } from "@/components/batches/format";
import { useLocale } from "@/components/locale-provider";
import type { ActionResult } from "@/components/settings/action-result";
import { FormError } from "@/components/settings/form-error";
import { useSettingsAction } from "@/components/settings/use-settings-action";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogClose,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";

import { retryButtonLabel } from "./loop-buttons";
import type { RetryOutcome, RetryPreviewData } from "./loop-input";
import { zonedTimeToEpoch } from "./zoned-time";

interface Props {
  workspace: string;
  batchId: string;
  /** A reason key from the drilldown, or "" for every failed call. */
  reason: string;
  reasonLabel?: string;
  /** Failed calls in scope, for the button (the dialog's preview says how many are sent). */
  failedCount: number;
  defaultAgentId: string;
  /** Open at once (the lazy button in loop-buttons.tsx loaded it because it was pressed). */
  defaultOpen?: boolean;
}

/** One key per confirmation, kept across a reload so that confirming again returns the first result. */
function confirmationKey(storageKey: string): string {
  try {
    const kept = sessionStorage.getItem(storageKey);
    if (kept) return kept;
    const fresh = crypto.randomUUID();
    sessionStorage.setItem(storageKey, fresh);
    return fresh;
  } catch {
    return crypto.randomUUID();
  }
}

export function RetryDialog({ workspace, batchId, reason, reasonLabel, failedCount, defaultAgentId, defaultOpen = false }: Props) {
  const locale = useLocale();
  const [open, setOpen] = useState(defaultOpen);
  const storageKey = `batchboard:retry:${workspace}:${batchId}:${reason}`;
  const [finished, setFinished] = useState(false);
  const onOpenChange = (next: boolean) => {
    setOpen(next);
    // Closing after an outcome was shown ends this confirmation: the next one is a new request.
    if (!next && finished) {
      try {
        sessionStorage.removeItem(storageKey);
      } catch {}
      setFinished(false);
    }
  };
  const what = reasonLabel ? `the calls that failed with “${reasonLabel}”` : "every failed call";
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogTrigger asChild>
        <Button size="sm" variant="outline" data-testid="retry-open">
          <RotateCcwIcon aria-hidden="true" /> {retryButtonLabel(failedCount, locale)}
        </Button>
      </DialogTrigger>
      <DialogContent className="sm:max-w-2xl">
        <DialogHeader>
          <DialogTitle>Retry failed calls as a new batch</DialogTitle>
          <DialogDescription>
            Starts a new Trillet batch with {what}, each with its data exactly as Trillet listed it. Calls are made by the agent below.
          </DialogDescription>
        </DialogHeader>
        {open ? (
          <RetryForm
            workspace={workspace}
            batchId={batchId}
            reason={reason}
            defaultAgentId={defaultAgentId}
            idempotencyKey={confirmationKey(storageKey)}
            onOutcome={() => setFinished(true)}
          />
        ) : null}
      </DialogContent>
    </Dialog>
  );
}

type Preview = { state: "loading" } | { state: "error"; message: string } | { state: "ready"; data: RetryPreviewData };

function RetryForm({
  workspace,
  batchId,
  reason,
  defaultAgentId,
  idempotencyKey,
  onOutcome,
}: Omit<Props, "failedCount" | "reasonLabel"> & { idempotencyKey: string; onOutcome: () => void }) {
  const locale = useLocale();
  const [preview, setPreview] = useState<Preview>({ state: "loading" });
  const [when, setWhen] = useState<"now" | "later">("now");
  const [callbacks, setCallbacks] = useState(false);
  const [localTime, setLocalTime] = useState("");
  const zones = useMemo(() => timeZones(), []);
  const [zone, setZone] = useState(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
  const ids = { agent: useId(), time: useId(), zone: useId(), attempts: useId(), interval: useId(), error: useId() };
  const { state, error, pending, formProps } = useSettingsAction<RetryOutcome | null>(
    startRetryBatch as (p: ActionResult<RetryOutcome | null>, f: FormData) => Promise<ActionResult<RetryOutcome | null>>,
    { onSuccess: onOutcome, announce: () => {} },
  );

  useEffect(() => {
    let live = true;
    const form = new FormData();
    form.set("workspace", workspace);
    form.set("batchId", batchId);
    form.set("reason", reason);
    previewRetry(null, form).then(
      (result) => {
        if (!live) return;
        if (result?.ok) setPreview({ state: "ready", data: result.data });
        else setPreview({ state: "error", message: result?.error ?? "The preview could not be loaded." });
      },
      () => live && setPreview({ state: "error", message: "The preview could not be loaded. Close the dialog and try again." }),
    );
    return () => {
      live = false;
    };
  }, [workspace, batchId, reason]);

  const outcome = state?.ok ? state.data : null;
  if (outcome?.state === "created") {
    return (
      <div className="flex flex-col gap-4" data-testid="retry-created">
        <Alert>
          <AlertTitle>Retry batch started</AlertTitle>
          <AlertDescription>
            {formatCount(outcome.rows, locale)} {outcome.rows === 1 ? "call" : "calls"} sent to Trillet as batch{" "}
            <span className="font-mono">{outcome.childBatchId}</span>.
          </AlertDescription>
        </Alert>
        <DialogFooter>
          <DialogClose asChild>
            <Button variant="outline">Close</Button>
          </DialogClose>
          <Button asChild>
            <Link href={outcome.href}>Open the new batch</Link>
          </Button>
        </DialogFooter>
      </div>
    );
  }
  if (outcome?.state === "unknown") {
    return (
      <div className="flex flex-col gap-4" data-testid="retry-unknown">
        <Alert variant="destructive">
          <AlertTitle>Outcome unknown</AlertTitle>
          <AlertDescription>{outcome.message}</AlertDescription>
        </Alert>
        <DialogFooter>
          <DialogClose asChild>
            <Button variant="outline">Close</Button>
          </DialogClose>
        </DialogFooter>
      </div>
    );
  }
  if (preview.state === "loading") {
    return (
      <div className="flex flex-col gap-3" aria-busy="true" aria-label="Loading the calls to retry">
        <Skeleton className="h-5 w-2/3" />
        <Skeleton className="h-24 w-full" />
      </div>
    );
  }
  if (preview.state === "error") {
    return (
      <div className="flex flex-col gap-4">
        <FormError error={preview.message} />
        <DialogFooter>
          <DialogClose asChild>
            <Button variant="outline">Close</Button>
          </DialogClose>
        </DialogFooter>
      </div>
    );
  }
  const { count, excluded, columns, sample, recent } = preview.data;
  const scheduledAt = when === "later" && localTime ? zonedTimeToEpoch(localTime, zone) : null;
  return (
    <form {...formProps} className="flex flex-col gap-5" aria-describedby={error ? ids.error : undefined}>
      <input type="hidden" name="workspace" value={workspace} />
      <input type="hidden" name="batchId" value={batchId} />
      <input type="hidden" name="reason" value={reason} />
      <input type="hidden" name="idempotencyKey" value={idempotencyKey} />
      <input type="hidden" name="scheduledAt" value={scheduledAt ?? ""} />

      <section aria-labelledby={`${ids.error}-preview`} className="flex flex-col gap-2">
        <h3 id={`${ids.error}-preview`} className="text-sm font-medium">
          {formatCount(count, locale)} {count === 1 ? "call" : "calls"} will be made again
        </h3>
        {excluded > 0 ? (
          <p className="text-sm text-muted-foreground" data-testid="retry-excluded">
            {formatCount(excluded, locale)} {excluded === 1 ? "number is" : "numbers are"} left out: {excluded === 1 ? "it" : "they"}{" "}
            already answered in a later attempt.
          </p>
        ) : null}
        {recent ? (
          <Alert>
            <AlertTitle>Already retried today</AlertTitle>
            <AlertDescription>
              A retry of these calls was started {new Date(recent.at).toLocaleString()}
              {recent.childBatchId ? (
                <>
                  {" "}
                  (batch <span className="font-mono">{recent.childBatchId}</span>)
                </>
              ) : null}
              {recent.state === "unknown" ? ", and Trillet did not confirm it" : ""}. Make sure a second one is wanted.
            </AlertDescription>
          </Alert>
        ) : null}
        <div className="max-h-48 overflow-auto rounded-md border">
          <Table>
            <TableHeader>
              <TableRow>
                {columns.map((column) => (
                  <TableHead key={column} className="font-mono text-xs whitespace-nowrap">
                    {column}
                  </TableHead>
                ))}
              </TableRow>
            </TableHeader>
            <TableBody>
              {sample.map((row, i) => (
                <TableRow key={i}>
                  {row.map((cell, j) => (
                    <TableCell key={j} className="max-w-48 truncate font-mono text-xs" title={cell}>
                      {cell}
                    </TableCell>
                  ))}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
        <p className="text-xs text-muted-foreground">The first rows of the file sent to Trillet, exactly as sent.</p>
      </section>

      <div className="flex flex-col gap-2">
        <Label htmlFor={ids.agent}>Agent</Label>
        <Input
          id={ids.agent}
          name="agentId"
          defaultValue={defaultAgentId}
          required
          maxLength={200}
          autoComplete="off"
          placeholder="Trillet agent ID"
        />
      </div>

      <fieldset className="flex flex-col gap-2">
        <legend className="mb-1 text-sm font-medium">Start</legend>
        <label className="flex items-center gap-2 text-sm">
          <input
            type="radio"
            name="when"
            value="now"
            checked={when === "now"}
            onChange={() => setWhen("now")}
            className="size-4 accent-primary"
          />
          Now
        </label>
        <label className="flex items-center gap-2 text-sm">
          <input
            type="radio"
            name="when"
            value="later"
            checked={when === "later"}
            onChange={() => setWhen("later")}
            className="size-4 accent-primary"
          />
          At a time
        </label>
        {when === "later" ? (
          <div className="grid gap-3 sm:grid-cols-2">
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={ids.time}>Date and time</Label>
              <Input id={ids.time} type="datetime-local" value={localTime} onChange={(e) => setLocalTime(e.target.value)} required />
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={ids.zone}>Time zone</Label>
              <select
                id={ids.zone}
                value={zone}
                onChange={(e) => setZone(e.target.value)}
                className="h-9 rounded-md border border-input bg-transparent px-3 text-sm shadow-xs focus-visible:ring-2 focus-visible:ring-ring focus-visible:ring-offset-2 focus-visible:ring-offset-background focus-visible:outline-none"
              >
                {zones.map((z) => (
                  <option key={z} value={z}>
                    {z}
                  </option>
                ))}
              </select>
            </div>
          </div>
        ) : null}
      </fieldset>

      <fieldset className="flex flex-col gap-2">
        <legend className="mb-1 text-sm font-medium">Smart callbacks</legend>
        <label className="flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            name="callbacks"
            checked={callbacks}
            onChange={(e) => setCallbacks(e.target.checked)}
            className="size-4 accent-primary"
          />
          Call back numbers that do not answer
        </label>
        {callbacks ? (
          <div className="grid gap-3 sm:grid-cols-2">
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={ids.attempts}>Attempts</Label>
              <Input id={ids.attempts} name="maxAttempts" type="number" min={1} max={10} defaultValue={2} required />
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={ids.interval}>Minutes between attempts</Label>
              <Input id={ids.interval} name="intervalMinutes" type="number" min={5} max={1440} defaultValue={60} required />
            </div>
          </div>
        ) : null}
      </fieldset>

      <FormError id={ids.error} error={error} />
      <DialogFooter>
        <DialogClose asChild>
          <Button variant="outline">Cancel</Button>
        </DialogClose>
        <Button type="submit" disabled={pending || count === 0} data-testid="retry-confirm">
          {pending ? "Starting…" : `Start ${formatCount(count, locale)} ${count === 1 ? "call" : "calls"} again`}
        </Button>
      </DialogFooter>
    </form>
  );
}

function timeZones(): string[] {
  const here = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const all = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return [here, ...all.filter((z) => z !== here)];
}
