"use client";

import { Trash2Icon } from "lucide-react";

import { removeBatch } from "@/app/w/[workspace]/batches/actions";
import { ActionDialog } from "@/components/settings/action-dialog";
import { Button } from "@/components/ui/button";

interface Props {
  workspace: string;
  batchId: string;
  label: string;
}

/** Takes a batch off the team's list, behind a confirmation that says what it does and doesn't do. */
export function RemoveBatchDialog({ workspace, batchId, label }: Props) {
  const name = label || batchId;
  return (
    <ActionDialog
      trigger={
        <Button size="icon" variant="ghost" data-testid="remove-batch">
          <Trash2Icon aria-hidden="true" />
          <span className="sr-only">Remove {name} from the list</span>
        </Button>
      }
      title={`Remove ${name} from the list?`}
      titleClassName="break-all"
      description="Only this workspace's list changes: the batch and its calls stay in Trillet. Opening the batch again puts it back (without its label)."
      action={removeBatch}
      hidden={{ workspace, batchId }}
      submit={{ label: "Remove", pending: "Removing…", variant: "destructive" }}
    />
  );
}
