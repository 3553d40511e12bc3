"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { failed, firstIssue, succeeded, type ActionResult } from "@/components/settings/action-result";
import { recordAudit } from "@/lib/audit";
import { requireFreshSignIn } from "@/lib/auth/fresh-sign-in";
import { requireAdmin } from "@/lib/auth/guards";
import { currentRequestInfo } from "@/lib/auth/request-info";
import { countActiveAdmins, findUserById, LastAdminError, listUsers, setDisabled, setRole } from "@/lib/auth/users";
import { getDb } from "@/lib/db";
import { ROLES } from "@/lib/db/schema";
import { listWorkspacesFor, setWorkspaceAccess } from "@/lib/workspaces";
import { refuseAdminChange, roleLabel } from "./admin-guard";

const PATH = "/settings/members";
const GONE = "That member no longer exists. Reload the page.";
const userId = z.uuid({ error: GONE });

const roleInput = z.object({ userId, role: z.enum(ROLES, { error: "Choose a role: admin or member." }) });

export async function changeRole(_previous: ActionResult, formData: FormData): Promise<ActionResult> {
  const admin = await requireAdmin();
  // Issue 13: a role change needs a recent sign-in (the permission wrapper will do this for every admin change).
  await requireFreshSignIn(PATH);
  const input = roleInput.safeParse({ userId: formData.get("userId"), role: formData.get("role") });
  if (!input.success) return failed(firstIssue(input.error));
  const { role } = input.data;

  const db = await getDb();
  const target = await findUserById(db, input.data.userId);
  if (!target) return failed(GONE);
  if (target.id !== admin.id && target.role === role) return succeeded(`${target.email} is already ${roleLabel(role)}.`);
  // Past the no-op check, an admin target means a demotion.
  if (target.id === admin.id || target.role === "admin") {
    const refusal = refuseAdminChange("demote", admin.id, target, await countActiveAdmins(db));
    if (refusal) return failed(refusal);
  }

  try {
    await setRole(db, target.id, role);
  } catch (error) {
    // Another admin changed roles at the same moment; the database kept the last admin.
    if (error instanceof LastAdminError) return failed(error.message);
    throw error;
  }
  await recordAudit(db, {
    actor: admin,
    action: "user.role_changed",
    target: target.email,
    detail: { from: target.role, to: role },
    request: await currentRequestInfo(),
  });
  revalidatePath(PATH);
  return succeeded(
    role === "member"
      ? `${target.email} is now a member: they open only the workspaces you give them.`
      : `${target.email} is now an admin.`,
  );
}

const statusInput = z.object({
  userId,
  disabled: z.enum(["true", "false"], { error: "Choose to disable or enable." }).transform((v) => v === "true"),
});

export async function setMemberDisabled(_previous: ActionResult, formData: FormData): Promise<ActionResult> {
  const admin = await requireAdmin();
  const input = statusInput.safeParse({ userId: formData.get("userId"), disabled: formData.get("disabled") });
  if (!input.success) return failed(firstIssue(input.error));
  const { disabled } = input.data;

  const db = await getDb();
  const target = await findUserById(db, input.data.userId);
  if (!target) return failed(GONE);
  if (disabled) {
    const refusal = refuseAdminChange("disable", admin.id, target, await countActiveAdmins(db));
    if (refusal) return failed(refusal);
  }
  if (target.disabled === disabled) return succeeded(`${target.email} is already ${disabled ? "disabled" : "enabled"}.`);

  try {
    await setDisabled(db, target.id, disabled);
  } catch (error) {
    if (error instanceof LastAdminError) return failed(error.message);
    throw error;
  }
  await recordAudit(db, {
    actor: admin,
    action: disabled ? "user.disabled" : "user.enabled",
    target: target.email,
    detail: { role: target.role },
    request: await currentRequestInfo(),
  });
  revalidatePath(PATH);
  return succeeded(disabled ? `${target.email} is disabled and signed out everywhere.` : `${target.email} can sign in again.`);
}

const accessInput = z.object({
  userId,
  workspaceIds: z.array(z.uuid({ error: "A selected workspace no longer exists. Reload the page." })).max(1_000),
});

/** Saves a member's whole checkbox list: one grant or revoke (and audit event) per change. */
export async function updateMemberAccess(_previous: ActionResult, formData: FormData): Promise<ActionResult> {
  const admin = await requireAdmin();
  const input = accessInput.safeParse({ userId: formData.get("userId"), workspaceIds: formData.getAll("workspaceIds") });
  if (!input.success) return failed(firstIssue(input.error));

  const db = await getDb();
  const [workspaces, users] = await Promise.all([listWorkspacesFor(db, admin), listUsers(db)]);
  const member = users.find((u) => u.id === input.data.userId);
  if (!member) return failed(GONE);
  const wanted = new Set(input.data.workspaceIds);
  if ([...wanted].some((id) => !workspaces.some((w) => w.id === id))) {
    return failed("A selected workspace no longer exists. Reload the page.");
  }
  const had = new Set(member.workspaceIds);
  const changes = workspaces.filter((w) => wanted.has(w.id) !== had.has(w.id));
  if (changes.length === 0) return succeeded(`No change to ${member.email}'s access.`);

  const request = await currentRequestInfo();
  for (const workspace of changes) {
    const granted = wanted.has(workspace.id);
    await setWorkspaceAccess(db, member.id, workspace.id, granted);
    await recordAudit(db, {
      actor: admin,
      action: granted ? "access.granted" : "access.revoked",
      target: member.email,
      detail: { workspace: workspace.slug },
      request,
    });
  }
  revalidatePath(PATH);
  return succeeded(`Access updated for ${member.email}.`);
}
