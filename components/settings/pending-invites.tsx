import { LocalTime } from "@/components/batches/local-time";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { Role } from "@/lib/db/schema";
import type { WorkspaceInfo } from "@/lib/workspaces";

import { EmptyState } from "./empty-state";
import { RevokeInviteButton } from "./revoke-invite-button";
import { ROLE_OPTIONS } from "./roles";

/** What the invite will open: every workspace for an admin, else the names of the ones ticked. */
function InviteWorkspaces({ invite, workspaces }: { invite: PendingInviteRow; workspaces: readonly WorkspaceInfo[] }) {
  if (invite.role === "admin") return <span className="text-muted-foreground">All (admin)</span>;
  const names = invite.workspaceIds.map((id) => workspaces.find((w) => w.id === id)?.name).filter((n): n is string => Boolean(n));
  // A workspace removed since the invite was sent no longer counts.
  if (names.length === 0) return <span className="text-muted-foreground">None</span>;
  return <>{names.join(", ")}</>;
}

export interface PendingInviteRow {
  id: string;
  email: string;
  role: Role;
  workspaceIds: readonly string[];
  createdAt: Date;
  expiresAt: Date;
}

export function PendingInvites({ invites, workspaces }: { invites: readonly PendingInviteRow[]; workspaces: readonly WorkspaceInfo[] }) {
  if (invites.length === 0) {
    return (
      <EmptyState title="No pending invites" testId="no-pending-invites">
        An invite waits here until it is accepted, revoked or expires (after 7 days).
      </EmptyState>
    );
  }
  return (
    <Table data-testid="pending-invites">
      <TableHeader>
        <TableRow>
          <TableHead>Email</TableHead>
          <TableHead>Role</TableHead>
          <TableHead>Workspaces</TableHead>
          <TableHead>Invited</TableHead>
          <TableHead>Expires</TableHead>
          <TableHead>
            <span className="sr-only">Actions</span>
          </TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {invites.map((invite) => (
          <TableRow key={invite.id}>
            <TableCell>{invite.email}</TableCell>
            <TableCell>{ROLE_OPTIONS.find((r) => r.value === invite.role)?.label ?? invite.role}</TableCell>
            <TableCell className="whitespace-normal" data-testid="invite-workspaces">
              <InviteWorkspaces invite={invite} workspaces={workspaces} />
            </TableCell>
            <TableCell>
              <LocalTime ms={invite.createdAt.getTime()} />
            </TableCell>
            <TableCell>
              <LocalTime ms={invite.expiresAt.getTime()} />
            </TableCell>
            <TableCell className="text-right">
              <RevokeInviteButton inviteId={invite.id} email={invite.email} />
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
