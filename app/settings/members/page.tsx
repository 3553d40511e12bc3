import type { Metadata } from "next";

import { EmptyState } from "@/components/settings/empty-state";
import { InviteForm } from "@/components/settings/invite-form";
import { MembersTable } from "@/components/settings/members-table";
import { PendingInvites } from "@/components/settings/pending-invites";
import { SectionHeading } from "@/components/settings/section-heading";
import { Card, CardContent } from "@/components/ui/card";
import { requirePermission } from "@/lib/auth/guards";
import { listPendingInvites } from "@/lib/auth/invites";
import { listUsers } from "@/lib/auth/users";
import { getDb } from "@/lib/db";
import { listWorkspacesFor } from "@/lib/workspaces";

export const metadata: Metadata = { title: "Members" };

export default async function MembersPage() {
  const admin = await requirePermission("members.manage");
  const db = await getDb();
  const [members, invites, workspaces] = await Promise.all([
    listUsers(db),
    listPendingInvites(db),
    // An admin's list is every workspace, with names and slugs only.
    listWorkspacesFor(db, admin),
  ]);
  return (
    <div className="flex flex-col gap-10">
      <section aria-labelledby="invite-heading" className="flex flex-col gap-4">
        <SectionHeading
          id="invite-heading"
          title="Invite a member"
          description="Creates a single-use link, valid for 7 days, that you send them yourself."
        />
        <Card className="py-5">
          <CardContent className="px-5">
            <InviteForm workspaces={workspaces} />
          </CardContent>
        </Card>
      </section>

      <section aria-labelledby="members-heading" className="flex flex-col gap-4">
        <SectionHeading
          id="members-heading"
          title="Members"
          description="You can't change your own role or disable yourself: another admin can."
        />
        <MembersTable members={members} workspaces={workspaces} currentUserId={admin.id} />
        {members.length <= 1 ? (
          <EmptyState title="No one else here yet" testId="no-other-members">
            Invite a teammate with the form above, then send them the link it gives you.
          </EmptyState>
        ) : null}
      </section>

      <section aria-labelledby="invites-heading" className="flex flex-col gap-4">
        <SectionHeading id="invites-heading" title="Pending invites" />
        <PendingInvites invites={invites} workspaces={workspaces} />
      </section>
    </div>
  );
}
