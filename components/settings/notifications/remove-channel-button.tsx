"use client";

import { removeNotificationChannel } from "@/app/settings/workspaces/notification-actions";
import { Button } from "@/components/ui/button";

import { ActionDialog } from "../action-dialog";

export function RemoveChannelButton({ workspaceId, channelId, host }: { workspaceId: string; channelId: string; host: string }) {
  return (
    <ActionDialog
      trigger={
        <Button size="sm" variant="outline">
          Remove<span className="sr-only"> channel to {host}</span>
        </Button>
      }
      title={`Remove the channel to ${host}?`}
      description="Notifications not yet delivered to it are dropped, with its delivery log."
      action={removeNotificationChannel}
      hidden={{ workspaceId, channelId }}
      submit={{ label: "Remove channel", pending: "Removing…", variant: "destructive" }}
    />
  );
}
