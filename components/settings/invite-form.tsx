"use client";

import { useId, useState } from "react";

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
  const { error, pending, formProps } = useSettingsAction(inviteMember, {
    onSuccess: (invite) => {
      setCreated(invite);
      setRole("member");
      setGeneration((n) => n + 1);
    },
  });
  return (
    <>
      <form key={generation} {...formProps} className="flex flex-col gap-5">
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
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? `${id}-error` : undefined}
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
          <WorkspaceCheckboxes workspaces={workspaces} legend="Workspaces they can open" />
        )}
        <FormError id={`${id}-error`} error={error} />
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
