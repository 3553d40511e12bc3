"use client";

import { Trash2Icon } from "lucide-react";
import { useId, useState } from "react";

import { deleteWorkspace } from "@/app/settings/workspaces/actions";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";

import { ActionDialog } from "./action-dialog";
import { FormError } from "./form-error";

/**
 * "Remove workspace": a destructive confirmation (role="alertdialog") that asks for the slug to be
 * typed, since the removal takes the workspace's batches, copy, channels and access grants with it.
 */
export function RemoveWorkspaceDialog({ workspaceId, name, slug }: { workspaceId: string; name: string; slug: string }) {
  const id = useId();
  const [typed, setTyped] = useState("");
  const matches = typed.trim().toLowerCase() === slug;
  return (
    <ActionDialog
      alert
      trigger={
        <Button size="sm" variant="outline" onClick={() => setTyped("")}>
          <Trash2Icon aria-hidden="true" />
          Remove<span className="sr-only"> workspace {name}</span>
        </Button>
      }
      title={`Remove workspace “${name}”?`}
      description={
        <>
          This deletes its Trillet credentials, the batches your team tracked in it and their copy, its notification channels and every
          member&apos;s access to it. Trillet keeps its batches and calls. This cannot be undone.
        </>
      }
      action={deleteWorkspace}
      hidden={{ workspaceId }}
      submit={{ label: "Remove workspace", pending: "Removing…", variant: "destructive", disabled: !matches }}
      fields={(error) => (
        <div className="flex flex-col gap-2">
          <Label htmlFor={`${id}-slug`}>
            Type <span className="font-mono">{slug}</span> to confirm
          </Label>
          <Input
            id={`${id}-slug`}
            name="confirmSlug"
            autoComplete="off"
            spellCheck={false}
            value={typed}
            onChange={(event) => setTyped(event.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${id}-error` : undefined}
          />
          <FormError id={`${id}-error`} error={error} />
        </div>
      )}
    />
  );
}
