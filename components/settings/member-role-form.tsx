"use client";

import { useId, useState } from "react";

import { changeRole } from "@/app/settings/members/actions";
import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/label";
import type { Role } from "@/lib/db/schema";

import { FormError } from "./form-error";
import { RoleSelect } from "./role-select";
import { useSettingsAction } from "./use-settings-action";

/** Keyed by the saved role in the table, so a saved change resets the choice to the new value. */
export function MemberRoleForm({ userId, email, role }: { userId: string; email: string; role: Role }) {
  const id = useId();
  const [choice, setChoice] = useState<Role>(role);
  const { error, pending, formProps } = useSettingsAction(changeRole);
  return (
    <form {...formProps} className="flex max-w-64 flex-col gap-1">
      <input type="hidden" name="userId" value={userId} />
      <Label htmlFor={id} className="sr-only">
        Role of {email}
      </Label>
      <div className="flex items-center gap-2">
        <RoleSelect id={id} size="sm" value={choice} onChange={setChoice} aria-describedby={error ? `${id}-error` : undefined} />
        <Button type="submit" size="sm" variant="outline" disabled={pending || choice === role}>
          {pending ? "Saving…" : "Save"}
          <span className="sr-only"> role of {email}</span>
        </Button>
      </div>
      <FormError id={`${id}-error`} error={error} className="whitespace-normal" />
    </form>
  );
}
