"use client";

import { useState, type ReactElement, type ReactNode } from "react";

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
export function ActionDialog({ trigger, title, description, titleClassName, descriptionClassName, alert = false, ...form }: Props) {
  const [open, setOpen] = useState(false);
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>{trigger}</DialogTrigger>
      <DialogContent {...(alert ? { role: "alertdialog" } : {})}>
        <DialogHeader>
          <DialogTitle className={titleClassName}>{title}</DialogTitle>
          <DialogDescription className={descriptionClassName}>{description}</DialogDescription>
        </DialogHeader>
        <ActionForm {...form} onDone={() => setOpen(false)} />
      </DialogContent>
    </Dialog>
  );
}

function ActionForm({
  action,
  hidden,
  submit,
  fields,
  onDone,
}: Pick<Props, "action" | "hidden" | "submit" | "fields"> & { onDone: () => void }) {
  const { error, pending, formProps } = useSettingsAction(action, { onSuccess: onDone });
  return (
    <form {...formProps} className="flex flex-col gap-4">
      {Object.entries(hidden).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      {fields ? fields(error) : <FormError error={error} />}
      <DialogFooter>
        <DialogClose asChild>
          <Button variant="outline">Cancel</Button>
        </DialogClose>
        <Button type="submit" variant={submit.variant ?? "default"} disabled={pending || submit.disabled}>
          {pending ? submit.pending : submit.label}
        </Button>
      </DialogFooter>
    </form>
  );
}
