"use client";

import { revokePendingInvite } from "@/app/settings/members/invite-actions";
import { Button } from "@/components/ui/button";

import { FormError } from "./form-error";
import { useSettingsAction } from "./use-settings-action";

export function RevokeInviteButton({ inviteId, email }: { inviteId: string; email: string }) {
  const { error, pending, formProps } = useSettingsAction(revokePendingInvite);
  return (
    <form {...formProps} className="flex flex-col items-end gap-1">
      <input type="hidden" name="inviteId" value={inviteId} />
      <Button type="submit" size="sm" variant="outline" disabled={pending}>
        {pending ? "Revoking…" : "Revoke"}
        <span className="sr-only"> invite for {email}</span>
      </Button>
      <FormError error={error} className="max-w-64 text-right whitespace-normal" />
    </form>
  );
}
