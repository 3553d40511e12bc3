import { LocalTime } from "@/components/batches/local-time";
import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { Role } from "@/lib/db/schema";
import type { WorkspaceInfo } from "@/lib/workspaces";

import { MemberAccessDialog } from "./member-access-dialog";
import { MemberRoleForm } from "./member-role-form";
import { MemberStatusDialog } from "./member-status-dialog";
import { ROLE_OPTIONS } from "./roles";

export interface MemberRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
  createdAt: Date;
  workspaceIds: string[];
  /** Per workspace id, the extra permissions granted there. */
  grants: Record<string, string[]>;
}

interface Props {
  members: readonly MemberRow[];
  workspaces: readonly WorkspaceInfo[];
  currentUserId: string;
}

const roleName = (role: Role) => ROLE_OPTIONS.find((r) => r.value === role)?.label ?? role;

export function MembersTable({ members, workspaces, currentUserId }: Props) {
  return (
    <Table data-testid="members-table">
      <TableHeader>
        <TableRow>
          <TableHead>Name</TableHead>
          <TableHead>Email</TableHead>
          <TableHead>Role</TableHead>
          <TableHead>Workspaces</TableHead>
          <TableHead>Status</TableHead>
          <TableHead>Joined</TableHead>
          <TableHead>
            <span className="sr-only">Actions</span>
          </TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {members.map((m) => {
          const self = m.id === currentUserId;
          const granted = workspaces.filter((w) => m.workspaceIds.includes(w.id));
          return (
            <TableRow key={m.id} data-testid="member-row" className="align-top">
              <TableCell className="font-medium">
                {m.name || <span className="text-muted-foreground">—</span>}
                {self ? (
                  <Badge variant="secondary" className="ml-2">
                    You
                  </Badge>
                ) : null}
              </TableCell>
              <TableCell>{m.email}</TableCell>
              <TableCell>{self ? roleName(m.role) : <MemberRoleForm key={m.role} userId={m.id} email={m.email} role={m.role} />}</TableCell>
              <TableCell className="whitespace-normal">
                <div className="flex min-w-40 flex-col items-start gap-2">
                  {m.role === "admin" ? (
                    <span className="text-muted-foreground">All (admin)</span>
                  ) : (
                    <span>
                      {granted.length ? granted.map((w) => w.name).join(", ") : <span className="text-muted-foreground">None</span>}
                    </span>
                  )}
                  {m.role === "admin" ? null : (
                    <MemberAccessDialog
                      key={m.workspaceIds.join()}
                      userId={m.id}
                      email={m.email}
                      grantedIds={m.workspaceIds}
                      grants={m.grants}
                      workspaces={workspaces}
                    />
                  )}
                </div>
              </TableCell>
              <TableCell>
                <Badge variant={m.disabled ? "destructive" : "outline"}>{m.disabled ? "Disabled" : "Active"}</Badge>
              </TableCell>
              <TableCell>
                <LocalTime ms={m.createdAt.getTime()} />
              </TableCell>
              <TableCell className="text-right">
                {self ? null : <MemberStatusDialog userId={m.id} email={m.email} disabled={m.disabled} />}
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
