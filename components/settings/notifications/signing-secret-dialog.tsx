"use client";

import { useId } from "react";

import type { AddedChannel } from "@/app/settings/workspaces/notification-input";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";

import { CopyButton } from "../copy-button";

/**
 * The one time a webhook's signing secret is shown: the receiver needs it to check signatures.
 * Clicking outside does not close it, to avoid losing it; remove and add the channel for a new one.
 */
export function SigningSecretDialog({ added, onClose }: { added: AddedChannel | null; onClose: () => void }) {
  const id = useId();
  return (
    <Dialog open={added !== null} onOpenChange={(open) => (open ? undefined : onClose())}>
      {added?.signingSecret ? (
        <DialogContent onInteractOutside={(event) => event.preventDefault()} data-testid="signing-secret-dialog">
          <DialogHeader>
            <DialogTitle>Signing secret for {added.host}</DialogTitle>
            <DialogDescription>
              Give it to the receiver to verify the Batchboard-Signature header. It is shown only now: copy it before you close this window.
            </DialogDescription>
          </DialogHeader>
          <div className="flex flex-col gap-2">
            <Label htmlFor={id}>Signing secret</Label>
            <div className="flex flex-col gap-2 sm:flex-row">
              <Input
                id={id}
                readOnly
                value={added.signingSecret}
                onFocus={(event) => event.currentTarget.select()}
                className="font-mono text-xs"
                spellCheck={false}
              />
              <CopyButton value={added.signingSecret} label="Copy secret" />
            </div>
          </div>
          <DialogFooter>
            <DialogClose asChild>
              <Button>Done</Button>
            </DialogClose>
          </DialogFooter>
        </DialogContent>
      ) : null}
    </Dialog>
  );
}
