import { LocalTime } from "@/components/batches/local-time";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { Role } from "@/lib/db/schema";

import { EmptyState } from "./empty-state";
import { RevokeInviteButton } from "./revoke-invite-button";
import { ROLE_OPTIONS } from "./roles";

export interface PendingInviteRow {
  id: string;
  email: string;
  role: Role;
  createdAt: Date;
  expiresAt: Date;
}

export function PendingInvites({ invites }: { invites: readonly PendingInviteRow[] }) {
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
