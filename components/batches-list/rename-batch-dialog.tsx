"use client";

import { PencilIcon } from "lucide-react";
import { useId } from "react";

import { renameBatch } from "@/app/w/[workspace]/batches/actions";
import { ActionDialog } from "@/components/settings/action-dialog";
import { FormError } from "@/components/settings/form-error";
import { Button } from "@/components/ui/button";
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
  return (
    <ActionDialog
      trigger={
        <Button size="icon" variant="ghost" data-testid="rename-batch">
          <PencilIcon aria-hidden="true" />
          <span className="sr-only">Rename {label || batchId}</span>
        </Button>
      }
      title="Rename batch"
      description={
        <>
          A label for <span className="font-mono">{batchId}</span>, shown to everyone in this workspace. Trillet is not changed.
        </>
      }
      descriptionClassName="break-all"
      action={renameBatch}
      hidden={{ workspace, batchId }}
      submit={{ label: "Save", pending: "Saving…" }}
      fields={(error) => <LabelField label={label} error={error} />}
    />
  );
}

function LabelField({ label, error }: { label: string; error: string | null }) {
  const id = useId();
  return (
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
  );
}
