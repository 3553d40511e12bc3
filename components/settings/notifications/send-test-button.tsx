"use client";

import { sendTestNotification } from "@/app/settings/workspaces/notification-actions";
import { Button } from "@/components/ui/button";
import { toast } from "@/components/ui/toast";

import { FormError } from "../form-error";
import { useSettingsAction } from "../use-settings-action";

export function SendTestButton({ workspaceId, channelId, host }: { workspaceId: string; channelId: string; host: string }) {
  const { error, pending, formProps } = useSettingsAction(sendTestNotification, {
    announce: (message, { delivered }) => (delivered ? toast.success(message) : toast.error(message)),
  });
  return (
    <form {...formProps} className="flex flex-col items-start gap-1">
      <input type="hidden" name="workspaceId" value={workspaceId} />
      <input type="hidden" name="channelId" value={channelId} />
      <Button type="submit" size="sm" variant="outline" disabled={pending}>
        {pending ? "Sending…" : "Send test"}
        <span className="sr-only"> to {host}</span>
      </Button>
      <FormError error={error} className="whitespace-normal" />
    </form>
  );
}
