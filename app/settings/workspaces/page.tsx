import type { Metadata } from "next";

import { EmptyState } from "@/components/settings/empty-state";
import { SectionHeading } from "@/components/settings/section-heading";
import { WorkspaceDialog } from "@/components/settings/workspace-dialog";
import { WorkspacesTable } from "@/components/settings/workspaces-table";
import { requirePermission } from "@/lib/auth/guards";
import { getDb } from "@/lib/db";
import { listWorkspaceSettings } from "@/lib/workspaces";

export const metadata: Metadata = { title: "Workspaces" };

export default async function WorkspacesPage() {
  await requirePermission("workspaces.manage");
  const workspaces = await listWorkspaceSettings(await getDb());
  return (
    <section aria-labelledby="workspaces-heading" className="flex flex-col gap-4">
      <SectionHeading
        id="workspaces-heading"
        title="Trillet workspaces"
        description="Each connection holds a Trillet workspace ID and API key, kept encrypted on the server and never shown again."
        action={<WorkspaceDialog />}
      />
      {workspaces.length === 0 ? (
        <EmptyState title="No Trillet workspace yet" testId="no-workspaces">
          Add one with “Add workspace”: you need its Trillet workspace ID and an API key. Then give members access under Members.
        </EmptyState>
      ) : (
        <WorkspacesTable workspaces={workspaces} />
      )}
    </section>
  );
}
