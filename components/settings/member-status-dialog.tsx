"use client";

import { setMemberDisabled } from "@/app/settings/members/actions";
import { Button } from "@/components/ui/button";

import { ActionDialog } from "./action-dialog";

/** Disable (or enable again) behind a confirmation that says what happens. */
export function MemberStatusDialog({ userId, email, disabled }: { userId: string; email: string; disabled: boolean }) {
  const verb = disabled ? "Enable" : "Disable";
  return (
    <ActionDialog
      trigger={
        <Button size="sm" variant="outline">
          {verb}
          <span className="sr-only"> {email}</span>
        </Button>
      }
      title={`${verb} ${email}?`}
      description={
        disabled
          ? "They can sign in again, with their existing password and workspace access."
          : "They are signed out on every device at once and can't sign in until an admin enables them again. Their workspace access is kept."
      }
      action={setMemberDisabled}
      hidden={{ userId, disabled: String(!disabled) }}
      submit={{ label: verb, pending: disabled ? "Enabling…" : "Disabling…", variant: disabled ? "default" : "destructive" }}
    />
  );
}
