"use client";

import { useEffect, useId, useRef, useState } from "react";

import { inviteMember } from "@/app/settings/members/invite-actions";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import type { Role } from "@/lib/db/schema";
import type { WorkspaceInfo } from "@/lib/workspaces";

import type { CreatedInvite } from "./action-result";
import { FormError } from "./form-error";
import { InviteLinkDialog } from "./invite-link-dialog";
import { RoleSelect } from "./role-select";
import { useSettingsAction } from "./use-settings-action";
import { WorkspaceCheckboxes } from "./workspace-checkboxes";

export function InviteForm({ workspaces }: { workspaces: readonly WorkspaceInfo[] }) {
  const id = useId();
  const [role, setRole] = useState<Role>("member");
  const [created, setCreated] = useState<CreatedInvite | null>(null);
  // Bumped after each invite so the form (Radix select included) starts blank again.
  const [generation, setGeneration] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);
  const { state, error, pending, formProps } = useSettingsAction(inviteMember, {
    onSuccess: (invite) => {
      setCreated(invite);
      setRole("member");
      setGeneration((n) => n + 1);
    },
  });
  // An error about the workspace list is shown there; any other next to the email.
  const workspaceError = state && !state.ok && state.field === "workspaceIds" ? error : null;
  const emailError = workspaceError ? null : error;
  useEffect(() => {
    if (!error) return;
    // Focus the field the error is about, so keyboard and screen reader users land on it.
    const target = workspaceError
      ? formRef.current?.querySelector<HTMLInputElement>('input[name="workspaceIds"]')
      : formRef.current?.querySelector<HTMLInputElement>('input[name="email"]');
    target?.focus();
  }, [state, error, workspaceError]);
  return (
    <>
      <form key={generation} ref={formRef} {...formProps} className="flex flex-col gap-5">
        <div className="grid gap-4 sm:grid-cols-[minmax(0,1fr)_12rem]">
          <div className="flex flex-col gap-2">
            <Label htmlFor={`${id}-email`}>Email</Label>
            <Input
              id={`${id}-email`}
              name="email"
              type="email"
              required
              maxLength={320}
              autoComplete="off"
              spellCheck={false}
              placeholder="name@example.com"
              aria-invalid={emailError ? true : undefined}
              aria-describedby={emailError ? `${id}-error` : undefined}
            />
          </div>
          <div className="flex flex-col gap-2">
            <Label htmlFor={`${id}-role`}>Role</Label>
            <RoleSelect id={`${id}-role`} value={role} onChange={setRole} />
          </div>
        </div>
        {role === "admin" ? (
          <p className="text-sm text-muted-foreground">Admins can open every workspace.</p>
        ) : (
          <WorkspaceCheckboxes
            workspaces={workspaces}
            legend="Workspaces they can open (at least one)"
            error={workspaceError}
            errorId={`${id}-workspaces-error`}
          />
        )}
        <FormError id={`${id}-error`} error={emailError} />
        <div>
          <Button type="submit" disabled={pending}>
            {pending ? "Creating invite…" : "Create invite link"}
          </Button>
        </div>
      </form>
      <InviteLinkDialog invite={created} onClose={() => setCreated(null)} />
    </>
  );
}
