"use client";

import { useState } from "react";
import { setMemberDisabled } from "@/app/settings/members/actions";
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
import { FormError } from "./form-error";
import { useSettingsAction } from "./use-settings-action";

/** Disable (or enable again) behind a confirmation that says what happens. */
export function MemberStatusDialog({ userId, email, disabled }: { userId: string; email: string; disabled: boolean }) {
  const [open, setOpen] = useState(false);
  const verb = disabled ? "Enable" : "Disable";
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button size="sm" variant="outline">
          {verb}
          <span className="sr-only"> {email}</span>
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>
            {verb} {email}?
          </DialogTitle>
          <DialogDescription>
            {disabled
              ? "They can sign in again, with their existing password and workspace access."
              : "They are signed out on every device at once and can't sign in until an admin enables them again. Their workspace access is kept."}
          </DialogDescription>
        </DialogHeader>
        <StatusForm userId={userId} disable={!disabled} verb={verb} onDone={() => setOpen(false)} />
      </DialogContent>
    </Dialog>
  );
}

function StatusForm({ userId, disable, verb, onDone }: { userId: string; disable: boolean; verb: string; onDone: () => void }) {
  const { error, pending, formProps } = useSettingsAction(setMemberDisabled, { onSuccess: onDone });
  return (
    <form {...formProps} className="flex flex-col gap-4">
      <input type="hidden" name="userId" value={userId} />
      <input type="hidden" name="disabled" value={String(disable)} />
      <FormError error={error} />
      <DialogFooter>
        <DialogClose asChild>
          <Button variant="outline">Cancel</Button>
        </DialogClose>
        <Button type="submit" variant={disable ? "destructive" : "default"} disabled={pending}>
          {pending ? `${verb === "Disable" ? "Disabling" : "Enabling"}…` : verb}
        </Button>
      </DialogFooter>
    </form>
  );
}
