import type { Role } from "@/lib/db/schema";

interface Target {
  id: string;
  email: string;
  role: Role;
  disabled: boolean;
}

/**
 * Why an admin may not demote or disable this member, or null when they may. Nobody locks
 * themselves out, and the team always keeps one active admin to run these pages.
 */
export function refuseAdminChange(change: "demote" | "disable", actorId: string, target: Target, activeAdmins: number): string | null {
  if (target.id === actorId) {
    return change === "demote"
      ? "You can't change your own role. Ask another admin to do it."
      : "You can't disable your own account. Ask another admin to do it.";
  }
  if (target.role === "admin" && !target.disabled && activeAdmins <= 1) {
    return `${target.email} is the last active admin. Make someone else an admin first.`;
  }
  return null;
}

export const roleLabel = (role: Role) => (role === "admin" ? "an admin" : "a member");
