"use client";

import { updateMemberAccess } from "@/app/settings/members/actions";
import { Button } from "@/components/ui/button";
import { GRANTABLE_PER_WORKSPACE } from "@/lib/auth/permissions";
import type { WorkspaceInfo } from "@/lib/workspaces";

import { ActionDialog } from "./action-dialog";
import { FormError } from "./form-error";
import { WorkspaceCheckboxes } from "./workspace-checkboxes";

interface Props {
  userId: string;
  email: string;
  grantedIds: readonly string[];
  /** Per workspace id, the extra permissions granted there. */
  grants: Readonly<Record<string, readonly string[]>>;
  workspaces: readonly WorkspaceInfo[];
}

const GRANT_LABELS: Partial<Record<(typeof GRANTABLE_PER_WORKSPACE)[number], string>> = {
  "batches.start": "start retry batches",
  "batches.cancel": "cancel batches",
};

/** Which Trillet workspaces a member can open; each opening starts from the saved access. */
export function MemberAccessDialog({ userId, email, grantedIds, grants, workspaces }: Props) {
  return (
    <ActionDialog
      trigger={
        <Button size="sm" variant="outline">
          Edit access<span className="sr-only"> of {email}</span>
        </Button>
      }
      title="Workspace access"
      description={`Choose which Trillet workspaces ${email} can open.`}
      action={updateMemberAccess}
      hidden={{ userId }}
      submit={{ label: "Save access", pending: "Saving…", disabled: workspaces.length === 0 }}
      fields={(error) => (
        <>
          <WorkspaceCheckboxes workspaces={workspaces} defaultChecked={grantedIds} legend="Workspaces" />
          {workspaces.length > 0 ? (
            <fieldset className="flex flex-col gap-2">
              <legend className="mb-1 text-sm font-medium">Also allowed, in a workspace they can open</legend>
              <p className="text-xs text-muted-foreground">Starting and cancelling batches places or stops real calls.</p>
              {workspaces.map((w) =>
                GRANTABLE_PER_WORKSPACE.map((permission) => (
                  <label key={`${w.id}:${permission}`} className="flex min-h-6 items-center gap-2 text-sm">
                    <input
                      type="checkbox"
                      name="grants"
                      value={`${w.id}:${permission}`}
                      defaultChecked={grants[w.id]?.includes(permission) ?? false}
                      className="size-4 shrink-0 accent-primary focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring"
                    />
                    <span className="min-w-0 truncate">
                      {w.name}: {GRANT_LABELS[permission] ?? permission}
                    </span>
                  </label>
                )),
              )}
            </fieldset>
          ) : null}
          <FormError error={error} />
        </>
      )}
    />
  );
}
