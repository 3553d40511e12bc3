"use client";

import { CircleStopIcon } from "lucide-react";
import { useEffect, useState } from "react";

import { cancelRunningBatch } from "@/app/w/[workspace]/batches/[batchId]/loop-actions";
import { formatCount } from "@/components/batches/format";
import { useLocale } from "@/components/locale-provider";
import { FormError } from "@/components/settings/form-error";
import { useSettingsAction } from "@/components/settings/use-settings-action";
import {
  AlertDialog,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
  AlertDialogTrigger,
} from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";

interface Props {
  workspace: string;
  batchId: string;
  /** The batch's JSON route, read when the dialog opens for the current number of waiting calls. */
  apiPath: string;
  /** Waiting calls at the last read, until the fresh count arrives. */
  waiting: number;
  /** Open at once (the lazy button in loop-buttons.tsx loaded it because it was pressed). */
  defaultOpen?: boolean;
}

/** "Cancel batch": a confirmation that says how many calls will not be made, then the action. */
export function CancelBatchButton({ workspace, batchId, apiPath, waiting: initial, defaultOpen = false }: Props) {
  const locale = useLocale();
  const [open, setOpen] = useState(defaultOpen);
  const [waiting, setWaiting] = useState(initial);
  useEffect(() => {
    if (!open) return;
    const controller = new AbortController();
    fetch(apiPath, { signal: controller.signal, cache: "no-store" })
      .then((res) => (res.ok ? (res.json() as Promise<{ summary?: { waiting?: number } }>) : null))
      .then((body) => {
        if (typeof body?.summary?.waiting === "number") setWaiting(body.summary.waiting);
      })
      .catch(() => {});
    return () => controller.abort();
  }, [open, apiPath]);
  return (
    <AlertDialog open={open} onOpenChange={setOpen}>
      <AlertDialogTrigger asChild>
        <Button size="sm" variant="outline" data-testid="cancel-open">
          <CircleStopIcon aria-hidden="true" /> Cancel batch
        </Button>
      </AlertDialogTrigger>
      <AlertDialogContent>
        <AlertDialogHeader>
          <AlertDialogTitle>Cancel this batch?</AlertDialogTitle>
          <AlertDialogDescription data-testid="cancel-waiting">
            {formatCount(waiting, locale)} {waiting === 1 ? "call is" : "calls are"} still waiting: {waiting === 1 ? "it" : "they"} will not
            be made. Calls in progress finish. This cannot be undone.
          </AlertDialogDescription>
        </AlertDialogHeader>
        {open ? <CancelForm workspace={workspace} batchId={batchId} waiting={waiting} onDone={() => setOpen(false)} /> : null}
      </AlertDialogContent>
    </AlertDialog>
  );
}

function CancelForm({ workspace, batchId, waiting, onDone }: { workspace: string; batchId: string; waiting: number; onDone: () => void }) {
  const { error, pending, formProps } = useSettingsAction(cancelRunningBatch, { onSuccess: onDone });
  return (
    <form {...formProps} className="flex flex-col gap-4">
      <input type="hidden" name="workspace" value={workspace} />
      <input type="hidden" name="batchId" value={batchId} />
      <input type="hidden" name="waiting" value={waiting} />
      <FormError error={error} />
      <AlertDialogFooter>
        <AlertDialogCancel>Keep it running</AlertDialogCancel>
        <Button type="submit" variant="destructive" disabled={pending} data-testid="cancel-confirm">
          {pending ? "Cancelling…" : "Cancel batch"}
        </Button>
      </AlertDialogFooter>
    </form>
  );
}
