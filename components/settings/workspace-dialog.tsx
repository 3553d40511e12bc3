"use client";

import { PencilIcon, PlusIcon } from "lucide-react";
import { useState } from "react";

import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";

import { WorkspaceForm, type EditableWorkspace } from "./workspace-form";

/** "Add workspace" without a workspace, "Edit" with one. The form mounts only while open. */
export function WorkspaceDialog({ workspace }: { workspace?: EditableWorkspace }) {
  const [open, setOpen] = useState(false);
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        {workspace ? (
          <Button size="sm" variant="outline">
            <PencilIcon aria-hidden="true" />
            Edit<span className="sr-only"> {workspace.name}</span>
          </Button>
        ) : (
          <Button>
            <PlusIcon aria-hidden="true" />
            Add workspace
          </Button>
        )}
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>{workspace ? `Edit ${workspace.name}` : "Add a Trillet workspace"}</DialogTitle>
          <DialogDescription>
            {workspace
              ? "The workspace ID and API key are never shown again: type new ones only to replace them."
              : "The Trillet workspace ID and an API key for it, from your Trillet account."}
          </DialogDescription>
        </DialogHeader>
        <WorkspaceForm workspace={workspace} onSaved={() => setOpen(false)} />
      </DialogContent>
    </Dialog>
  );
}
