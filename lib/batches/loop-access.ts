import "server-only";
import { and, eq } from "drizzle-orm";
import type { AppUser } from "../auth/users";
import type { Database } from "../db";
import { workspaceAccess } from "../db/schema";

// Who may start (retry) and cancel batches: admins, and members an admin granted it to in that
// workspace. Starting calls costs money and reaches people, so members do not have it by default.

export type LoopPermission = "batches.start" | "batches.cancel";

export async function mayInWorkspace(db: Database, user: AppUser, workspaceId: string, permission: LoopPermission): Promise<boolean> {
  if (user.role === "admin") return true;
  const [row] = await db
    .select({ grants: workspaceAccess.grants })
    .from(workspaceAccess)
    .where(and(eq(workspaceAccess.userId, user.id), eq(workspaceAccess.workspaceId, workspaceId)));
  return row?.grants.includes(permission) ?? false;
}
