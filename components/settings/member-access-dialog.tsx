"use client";

import { updateMemberAccess } from "@/app/settings/members/actions";
import { Button } from "@/components/ui/button";
import type { WorkspaceInfo } from "@/lib/workspaces";
import { ActionDialog } from "./action-dialog";
import { FormError } from "./form-error";
import { WorkspaceCheckboxes } from "./workspace-checkboxes";

interface Props {
  userId: string;
  email: string;
  grantedIds: readonly string[];
  workspaces: readonly WorkspaceInfo[];
}

/** Which Trillet workspaces a member can open; each opening starts from the saved access. */
export function MemberAccessDialog({ userId, email, grantedIds, workspaces }: Props) {
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
          <FormError error={error} />
        </>
      )}
    />
  );
}
