"use client";

import { useState } from "react";
import { updateMemberAccess } from "@/app/settings/members/actions";
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
import type { WorkspaceInfo } from "@/lib/workspaces";
import { FormError } from "./form-error";
import { useSettingsAction } from "./use-settings-action";
import { WorkspaceCheckboxes } from "./workspace-checkboxes";

interface Props {
  userId: string;
  email: string;
  grantedIds: readonly string[];
  workspaces: readonly WorkspaceInfo[];
}

export function MemberAccessDialog(props: Props) {
  const [open, setOpen] = useState(false);
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button size="sm" variant="outline">
          Edit access<span className="sr-only"> of {props.email}</span>
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Workspace access</DialogTitle>
          <DialogDescription>Choose which Trillet workspaces {props.email} can open.</DialogDescription>
        </DialogHeader>
        {/* Mounted only while open, so each opening starts from the saved access and no old error. */}
        <AccessForm {...props} onSaved={() => setOpen(false)} />
      </DialogContent>
    </Dialog>
  );
}

function AccessForm({ userId, grantedIds, workspaces, onSaved }: Props & { onSaved: () => void }) {
  const { error, pending, formProps } = useSettingsAction(updateMemberAccess, { onSuccess: onSaved });
  return (
    <form {...formProps} className="flex flex-col gap-4">
      <input type="hidden" name="userId" value={userId} />
      <WorkspaceCheckboxes workspaces={workspaces} defaultChecked={grantedIds} legend="Workspaces" />
      <FormError error={error} />
      <DialogFooter>
        <DialogClose asChild>
          <Button variant="outline">Cancel</Button>
        </DialogClose>
        <Button type="submit" disabled={pending || workspaces.length === 0}>
          {pending ? "Saving…" : "Save access"}
        </Button>
      </DialogFooter>
    </form>
  );
}
