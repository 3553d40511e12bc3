"use client";

import { PencilIcon } from "lucide-react";
import { useId, useState } from "react";
import { renameBatch } from "@/app/w/[workspace]/batches/actions";
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
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { LABEL_MAX_LENGTH } from "./batch-actions-input";

interface Props {
  workspace: string;
  batchId: string;
  label: string;
}

/** Names a batch for the team's list. The form mounts only while open, so it starts fresh each time. */
export function RenameBatchDialog({ workspace, batchId, label }: Props) {
  const [open, setOpen] = useState(false);
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button size="icon" variant="ghost" data-testid="rename-batch">
          <PencilIcon aria-hidden="true" />
          <span className="sr-only">Rename {label || batchId}</span>
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Rename batch</DialogTitle>
          <DialogDescription className="break-all">
            A label for <span className="font-mono">{batchId}</span>, shown to everyone in this workspace. Trillet is
            not changed.
          </DialogDescription>
        </DialogHeader>
        <RenameForm workspace={workspace} batchId={batchId} label={label} onDone={() => setOpen(false)} />
      </DialogContent>
    </Dialog>
  );
}

function RenameForm({ workspace, batchId, label, onDone }: Props & { onDone: () => void }) {
  const { error, pending, formProps } = useSettingsAction(renameBatch, { onSuccess: onDone });
  const id = useId();
  return (
    <form {...formProps} className="flex flex-col gap-4">
      <input type="hidden" name="workspace" value={workspace} />
      <input type="hidden" name="batchId" value={batchId} />
      <div className="flex flex-col gap-2">
        <Label htmlFor={id}>Label</Label>
        <Input
          id={id}
          name="label"
          defaultValue={label}
          maxLength={LABEL_MAX_LENGTH}
          autoComplete="off"
          placeholder="e.g. March renewals, wave 2"
          aria-describedby={`${id}-hint${error ? ` ${id}-error` : ""}`}
          aria-invalid={error ? true : undefined}
        />
        <p id={`${id}-hint`} className="text-sm text-muted-foreground">
          Up to {LABEL_MAX_LENGTH} characters. Leave it empty to show the batch ID only.
        </p>
        <FormError id={`${id}-error`} error={error} />
      </div>
      <DialogFooter>
        <DialogClose asChild>
          <Button variant="outline">Cancel</Button>
        </DialogClose>
        <Button type="submit" disabled={pending}>
          {pending ? "Saving…" : "Save"}
        </Button>
      </DialogFooter>
    </form>
  );
}
