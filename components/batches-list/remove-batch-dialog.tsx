"use client";

import { Trash2Icon } from "lucide-react";
import { useState } from "react";
import { removeBatch } from "@/app/w/[workspace]/batches/actions";
import { FormError } from "@/components/settings/form-error";
import { useSettingsAction } from "@/components/settings/use-settings-action";
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

interface Props {
  workspace: string;
  batchId: string;
  label: string;
}

/** Takes a batch off the team's list, behind a confirmation that says what it does and doesn't do. */
export function RemoveBatchDialog({ workspace, batchId, label }: Props) {
  const [open, setOpen] = useState(false);
  const name = label || batchId;
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button size="icon" variant="ghost" data-testid="remove-batch">
          <Trash2Icon aria-hidden="true" />
          <span className="sr-only">Remove {name} from the list</span>
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle className="break-all">Remove {name} from the list?</DialogTitle>
          <DialogDescription>
            Only this workspace&apos;s list changes: the batch and its calls stay in Trillet. Opening the batch again
            puts it back (without its label).
          </DialogDescription>
        </DialogHeader>
        <RemoveForm workspace={workspace} batchId={batchId} onDone={() => setOpen(false)} />
      </DialogContent>
    </Dialog>
  );
}

function RemoveForm({ workspace, batchId, onDone }: { workspace: string; batchId: string; onDone: () => void }) {
  const { error, pending, formProps } = useSettingsAction(removeBatch, { onSuccess: onDone });
  return (
    <form {...formProps} className="flex flex-col gap-4">
      <input type="hidden" name="workspace" value={workspace} />
      <input type="hidden" name="batchId" value={batchId} />
      <FormError error={error} />
      <DialogFooter>
        <DialogClose asChild>
          <Button variant="outline">Cancel</Button>
        </DialogClose>
        <Button type="submit" variant="destructive" disabled={pending}>
          {pending ? "Removing…" : "Remove"}
        </Button>
      </DialogFooter>
    </form>
  );
}
