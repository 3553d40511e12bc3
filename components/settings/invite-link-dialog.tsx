"use client";

import { useId } from "react";

import { LocalTime } from "@/components/batches/local-time";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";

import type { CreatedInvite } from "./action-result";
import { CopyButton } from "./copy-button";

/**
 * The one time the invite link is shown: only its hash is stored, so once this closes the admin
 * can only revoke it and invite again. Clicking outside does not close it, to avoid losing it.
 */
export function InviteLinkDialog({ invite, onClose }: { invite: CreatedInvite | null; onClose: () => void }) {
  const id = useId();
  return (
    <Dialog open={invite !== null} onOpenChange={(open) => (open ? undefined : onClose())}>
      {invite ? (
        <DialogContent onInteractOutside={(event) => event.preventDefault()} data-testid="invite-link-dialog">
          <DialogHeader>
            <DialogTitle>Invite link for {invite.email}</DialogTitle>
            <DialogDescription>
              Send this link to them yourself (chat or email). It is shown only now: copy it before you close this window. It works once,
              until <LocalTime ms={Date.parse(invite.expiresAt)} />.
            </DialogDescription>
          </DialogHeader>
          <div className="flex flex-col gap-2">
            <Label htmlFor={id}>Invite link</Label>
            <div className="flex flex-col gap-2 sm:flex-row">
              <Input
                id={id}
                readOnly
                value={invite.link}
                onFocus={(event) => event.currentTarget.select()}
                className="font-mono text-xs"
                spellCheck={false}
              />
              <CopyButton value={invite.link} />
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
