"use client";

import { useState, type ReactElement, type ReactNode } from "react";

import {
  AlertDialog,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogHeader,
  AlertDialogTitle,
  AlertDialogTrigger,
} from "@/components/ui/alert-dialog";
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

import type { ActionResult } from "./action-result";
import { FormError } from "./form-error";
import { useSettingsAction } from "./use-settings-action";

type ServerAction = (previous: ActionResult, formData: FormData) => Promise<ActionResult>;

interface Props {
  /** The button that opens the dialog. */
  trigger: ReactElement;
  title: ReactNode;
  description: ReactNode;
  titleClassName?: string;
  descriptionClassName?: string;
  action: ServerAction;
  /** Hidden inputs: what the action acts on. */
  hidden: Record<string, string>;
  submit: { label: string; pending: string; variant?: "default" | "destructive"; disabled?: boolean };
  /**
   * The form's own fields, given the action's error so they can show it where it belongs (next to
   * a field, with aria-describedby). Without fields, the error shows above the buttons.
   */
  fields?: (error: string | null) => ReactNode;
  /** A destructive confirmation: announced as role="alertdialog". */
  alert?: boolean;
}

/**
 * A dialog around one server action: a confirmation, or a short form. The form mounts only while
 * the dialog is open, so each opening starts from the saved values and without an old error; on
 * success the dialog closes and the action's message is toasted.
 */
// A destructive action is confirmed in an alert dialog (role="alertdialog", focus on Cancel).
const DIALOG = {
  Root: Dialog,
  Trigger: DialogTrigger,
  Content: DialogContent,
  Header: DialogHeader,
  Title: DialogTitle,
  Description: DialogDescription,
};
const ALERT = {
  Root: AlertDialog,
  Trigger: AlertDialogTrigger,
  Content: AlertDialogContent,
  Header: AlertDialogHeader,
  Title: AlertDialogTitle,
  Description: AlertDialogDescription,
};

export function ActionDialog({
  trigger,
  title,
  description,
  titleClassName,
  descriptionClassName,
  alert: alertProp = false,
  ...form
}: Props) {
  const [open, setOpen] = useState(false);
  const alert = alertProp || form.submit.variant === "destructive";
  const Part = alert ? ALERT : DIALOG;
  return (
    <Part.Root open={open} onOpenChange={setOpen}>
      <Part.Trigger asChild>{trigger}</Part.Trigger>
      <Part.Content>
        <Part.Header>
          <Part.Title className={titleClassName}>{title}</Part.Title>
          <Part.Description className={descriptionClassName}>{description}</Part.Description>
        </Part.Header>
        <ActionForm {...form} alert={alert} onDone={() => setOpen(false)} />
      </Part.Content>
    </Part.Root>
  );
}

function ActionForm({
  action,
  hidden,
  submit,
  fields,
  alert,
  onDone,
}: Pick<Props, "action" | "hidden" | "submit" | "fields"> & { alert: boolean; onDone: () => void }) {
  const { error, pending, formProps } = useSettingsAction(action, { onSuccess: onDone });
  return (
    <form {...formProps} className="flex flex-col gap-4">
      {Object.entries(hidden).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      {fields ? fields(error) : <FormError error={error} />}
      <DialogFooter>
        {alert ? (
          <AlertDialogCancel>Cancel</AlertDialogCancel>
        ) : (
          <DialogClose asChild>
            <Button variant="outline">Cancel</Button>
          </DialogClose>
        )}
        <Button type="submit" variant={submit.variant ?? "default"} disabled={pending || submit.disabled}>
          {pending ? submit.pending : submit.label}
        </Button>
      </DialogFooter>
    </form>
  );
}
