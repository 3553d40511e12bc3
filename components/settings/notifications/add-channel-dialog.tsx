"use client";

import { PlusIcon } from "lucide-react";
import { useId, useState } from "react";

import { addNotificationChannel } from "@/app/settings/workspaces/notification-actions";
import type { AddedChannel } from "@/app/settings/workspaces/notification-input";
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
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { CHANNEL_DEFAULTS, EVENT_LABELS, NOTIFICATION_EVENTS } from "@/lib/notifications/event-types";

import { FormError } from "../form-error";
import { useSettingsAction } from "../use-settings-action";
import { SigningSecretDialog } from "./signing-secret-dialog";

/** "Add channel": a Slack incoming webhook or a signed JSON webhook, its events and thresholds. */
export function AddChannelDialog({ workspaceId }: { workspaceId: string }) {
  const [open, setOpen] = useState(false);
  const [secret, setSecret] = useState<AddedChannel | null>(null);
  return (
    <>
      <Dialog open={open} onOpenChange={setOpen}>
        <DialogTrigger asChild>
          <Button>
            <PlusIcon aria-hidden="true" />
            Add channel
          </Button>
        </DialogTrigger>
        <DialogContent className="max-h-[90vh] overflow-y-auto">
          <DialogHeader>
            <DialogTitle>Add a notification channel</DialogTitle>
            <DialogDescription>
              The URL is stored encrypted and only its host is shown again. Batchboard posts to it from the server.
            </DialogDescription>
          </DialogHeader>
          <ChannelForm
            workspaceId={workspaceId}
            onSaved={(added) => {
              setOpen(false);
              if (added.signingSecret) setSecret(added);
            }}
          />
        </DialogContent>
      </Dialog>
      <SigningSecretDialog added={secret} onClose={() => setSecret(null)} />
    </>
  );
}

function ChannelForm({ workspaceId, onSaved }: { workspaceId: string; onSaved: (added: AddedChannel) => void }) {
  const id = useId();
  const { error, pending, formProps } = useSettingsAction(addNotificationChannel, { onSuccess: onSaved });
  return (
    <form {...formProps} className="flex flex-col gap-4" data-testid="add-channel-form">
      <input type="hidden" name="workspaceId" value={workspaceId} />
      <fieldset className="flex flex-col gap-2">
        <legend className="mb-2 text-sm font-medium">Kind</legend>
        <Choice
          name="kind"
          value="slack"
          defaultChecked
          label="Slack incoming webhook"
          hint="A message with the counts, success rate, top failure reasons and a link."
        />
        <Choice
          name="kind"
          value="webhook"
          label="Signed JSON webhook"
          hint="The event as JSON, signed with a secret shown once after you add it."
        />
      </fieldset>
      <div className="flex flex-col gap-2">
        <Label htmlFor={`${id}-url`}>Webhook URL</Label>
        <Input
          id={`${id}-url`}
          name="url"
          type="password"
          required
          maxLength={2_000}
          autoComplete="off"
          spellCheck={false}
          placeholder="https://hooks.slack.com/services/…"
          aria-describedby={`${id}-url-hint`}
          data-1p-ignore=""
          data-lpignore="true"
          data-bwignore=""
          className="font-mono"
        />
        <p id={`${id}-url-hint`} className="text-xs text-muted-foreground">
          https only. Redirects are not followed.
        </p>
      </div>
      <fieldset className="flex flex-col gap-2">
        <legend className="mb-2 text-sm font-medium">Events</legend>
        {NOTIFICATION_EVENTS.map((event) => (
          <label key={event} className="flex min-h-6 items-center gap-2 text-sm">
            <input
              type="checkbox"
              name="events"
              value={event}
              defaultChecked={event !== "batch.retry_started"}
              className="size-4 shrink-0 accent-primary focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring"
            />
            {EVENT_LABELS[event]}
          </label>
        ))}
      </fieldset>
      <div className="grid gap-4 sm:grid-cols-3">
        <NumberField
          id={`${id}-rate`}
          name="failureRatePercent"
          label="Failure rate (%)"
          min={1}
          max={100}
          defaultValue={CHANNEL_DEFAULTS.failureRatePercent}
        />
        <NumberField
          id={`${id}-min`}
          name="minFinishedCalls"
          label="After finished calls"
          min={1}
          max={1_000_000}
          defaultValue={CHANNEL_DEFAULTS.minFinishedCalls}
        />
        <NumberField
          id={`${id}-stall`}
          name="stallMinutes"
          label="Stalled after (min)"
          min={1}
          max={1_440}
          defaultValue={CHANNEL_DEFAULTS.stallMinutes}
        />
      </div>
      <p className="text-xs text-muted-foreground">
        The failure-rate event comes once per batch, when failed calls reach that share of the finished ones (after at least that many
        finished). A batch has stalled when its counts have not moved for that long while calls wait.
      </p>
      <FormError error={error} />
      <DialogFooter>
        <DialogClose asChild>
          <Button variant="outline">Cancel</Button>
        </DialogClose>
        <Button type="submit" disabled={pending}>
          {pending ? "Adding…" : "Add channel"}
        </Button>
      </DialogFooter>
    </form>
  );
}

function Choice({
  name,
  value,
  label,
  hint,
  defaultChecked,
}: {
  name: string;
  value: string;
  label: string;
  hint: string;
  defaultChecked?: boolean;
}) {
  return (
    <label className="flex items-start gap-2 text-sm">
      <input
        type="radio"
        name={name}
        value={value}
        defaultChecked={defaultChecked}
        className="mt-0.5 size-4 shrink-0 accent-primary focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring"
      />
      <span>
        <span className="font-medium">{label}</span>
        <span className="block text-xs text-muted-foreground">{hint}</span>
      </span>
    </label>
  );
}

function NumberField({
  id,
  name,
  label,
  min,
  max,
  defaultValue,
}: {
  id: string;
  name: string;
  label: string;
  min: number;
  max: number;
  defaultValue: number;
}) {
  return (
    <div className="flex flex-col gap-2">
      <Label htmlFor={id}>{label}</Label>
      <Input id={id} name={name} type="number" inputMode="numeric" min={min} max={max} step={1} defaultValue={defaultValue} required />
    </div>
  );
}
