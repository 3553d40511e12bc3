"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";

import { failed, succeeded, type ActionResult } from "@/components/settings/action-result";
import { recordAudit } from "@/lib/audit";
import { withAction } from "@/lib/auth/action";
import { GRANTABLE_PER_WORKSPACE } from "@/lib/auth/permissions";
import { currentRequestInfo } from "@/lib/auth/request-info";
import { countActiveAdmins, findUserById, LastAdminError, listUsers, setDisabled, setRole } from "@/lib/auth/users";
import { getDb } from "@/lib/db";
import { ROLES } from "@/lib/db/schema";
import { listOf } from "@/lib/http/fields";
import { listWorkspacesFor, setWorkspaceAccess, setWorkspaceGrants } from "@/lib/workspaces";

import { refuseAdminChange, roleLabel } from "./admin-guard";

const PATH = "/settings/members";
const GONE = "That member no longer exists. Reload the page.";
const userId = z.uuid({ error: GONE });

const roleInput = z.object({ userId, role: z.enum(ROLES, { error: "Choose a role: admin or member." }) });

// Every change here is an admin change to members or roles: a recent sign-in is asked for first.
export const changeRole = withAction(
  { permission: "members.manage", input: roleInput, fresh: PATH },
  async ({ input, user: admin }): Promise<ActionResult> => {
    const { role } = input;

    const db = await getDb();
    const target = await findUserById(db, input.userId);
    if (!target) return failed(GONE);
    if (target.id !== admin.id && target.role === role) return succeeded(`${target.email} is already ${roleLabel(role)}.`);
    // Past the no-op check, an admin target means a demotion.
    if (target.id === admin.id || target.role === "admin") {
      const refusal = refuseAdminChange("demote", admin.id, target, await countActiveAdmins(db));
      if (refusal) return failed(refusal);
    }

    const request = await currentRequestInfo();
    try {
      // The change and its audit entry commit together: an entry that cannot be written undoes it.
      await db.transaction(async (tx) => {
        await setRole(tx, target.id, role);
        await recordAudit(tx, {
          actor: admin,
          action: "user.role_changed",
          target: target.email,
          detail: { from: target.role, to: role },
          request,
        });
      });
    } catch (error) {
      // Another admin changed roles at the same moment; the database kept the last admin.
      if (error instanceof LastAdminError) return failed(error.message);
      throw error;
    }
    revalidatePath(PATH);
    return succeeded(
      role === "member"
        ? `${target.email} is now a member: they open only the workspaces you give them.`
        : `${target.email} is now an admin.`,
    );
  },
);

const statusInput = z.object({
  userId,
  disabled: z.enum(["true", "false"], { error: "Choose to disable or enable." }).transform((v) => v === "true"),
});

export const setMemberDisabled = withAction(
  { permission: "members.manage", input: statusInput, fresh: PATH },
  async ({ input, user: admin }): Promise<ActionResult> => {
    const { disabled } = input;

    const db = await getDb();
    const target = await findUserById(db, input.userId);
    if (!target) return failed(GONE);
    if (disabled) {
      const refusal = refuseAdminChange("disable", admin.id, target, await countActiveAdmins(db));
      if (refusal) return failed(refusal);
    }
    if (target.disabled === disabled) return succeeded(`${target.email} is already ${disabled ? "disabled" : "enabled"}.`);

    const request = await currentRequestInfo();
    try {
      await db.transaction(async (tx) => {
        await setDisabled(tx, target.id, disabled);
        await recordAudit(tx, {
          actor: admin,
          action: disabled ? "user.disabled" : "user.enabled",
          target: target.email,
          detail: { role: target.role },
          request,
        });
      });
    } catch (error) {
      if (error instanceof LastAdminError) return failed(error.message);
      throw error;
    }
    revalidatePath(PATH);
    return succeeded(disabled ? `${target.email} is disabled and signed out everywhere.` : `${target.email} can sign in again.`);
  },
);

const GRANT_FIELD = new RegExp(`^[0-9a-f-]{36}:(${GRANTABLE_PER_WORKSPACE.map((p) => p.replace(".", "\\.")).join("|")})$`);

const accessInput = z.object({
  userId,
  workspaceIds: listOf(z.uuid({ error: "A selected workspace no longer exists. Reload the page." }), 1_000),
  grants: listOf(z.string().regex(GRANT_FIELD, { error: "A permission was not recognised. Reload the page." }), 2_000),
});

/** Saves a member's whole checkbox list: one grant or revoke (and audit event) per change. */
export const updateMemberAccess = withAction(
  { permission: "members.manage", input: accessInput, fresh: PATH },
  async ({ input, user: admin }): Promise<ActionResult> => {
    const db = await getDb();
    const [workspaces, users] = await Promise.all([listWorkspacesFor(db, admin), listUsers(db)]);
    const member = users.find((u) => u.id === input.userId);
    if (!member) return failed(GONE);
    const wanted = new Set(input.workspaceIds);
    if ([...wanted].some((id) => !workspaces.some((w) => w.id === id))) {
      return failed("A selected workspace no longer exists. Reload the page.");
    }
    const had = new Set(member.workspaceIds);
    const changes = workspaces.filter((w) => wanted.has(w.id) !== had.has(w.id));
    // Extra permissions only mean something where the member has access.
    const grantsFor = (workspaceId: string) =>
      GRANTABLE_PER_WORKSPACE.filter((p) => wanted.has(workspaceId) && input.grants.includes(`${workspaceId}:${p}`));
    const grantChanges = workspaces.filter(
      (w) => wanted.has(w.id) && grantsFor(w.id).join() !== GRANTABLE_PER_WORKSPACE.filter((p) => member.grants[w.id]?.includes(p)).join(),
    );
    if (changes.length === 0 && grantChanges.length === 0) return succeeded(`No change to ${member.email}'s access.`);

    const request = await currentRequestInfo();
    // One transaction for the whole list: a failure (an audit entry included) leaves the member's
    // access exactly as it was, never half changed.
    await db.transaction(async (tx) => {
      for (const workspace of changes) {
        const granted = wanted.has(workspace.id);
        await setWorkspaceAccess(tx, member.id, workspace.id, granted);
        await recordAudit(tx, {
          actor: admin,
          action: granted ? "access.granted" : "access.revoked",
          target: member.email,
          detail: { workspace: workspace.slug },
          request,
        });
      }
      for (const workspace of grantChanges) {
        const permissions = grantsFor(workspace.id);
        await setWorkspaceGrants(tx, member.id, workspace.id, permissions);
        await recordAudit(tx, {
          actor: admin,
          action: "access.permissions_changed",
          target: member.email,
          detail: { workspace: workspace.slug, permissions },
          request,
        });
      }
    });
    revalidatePath(PATH);
    return succeeded(`Access updated for ${member.email}.`);
  },
);
