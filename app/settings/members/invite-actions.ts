"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { z } from "zod";
import { failed, firstIssue, succeeded, type ActionResult, type CreatedInvite } from "@/components/settings/action-result";
import { recordAudit } from "@/lib/audit";
import { requireAdmin } from "@/lib/auth/guards";
import { createInvite, findPendingInviteByEmail, InviteError, inviteOrigin, revokeInvite } from "@/lib/auth/invites";
import { currentRequestInfo } from "@/lib/auth/request-info";
import { getDb } from "@/lib/db";
import { ROLES } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { listWorkspacesFor } from "@/lib/workspaces";

const PATH = "/settings/members";

const inviteInput = z.object({
  email: z
    .string({ error: "Enter an email address." })
    .trim()
    .toLowerCase()
    .max(320, { error: "That email address is too long." })
    .pipe(z.email({ error: "Enter a valid email address, like name@example.com." })),
  role: z.enum(ROLES, { error: "Choose a role: admin or member." }),
  workspaceIds: z.array(z.uuid({ error: "A selected workspace no longer exists. Reload the page." })).max(1_000),
});

export async function inviteMember(_previous: ActionResult<CreatedInvite>, formData: FormData): Promise<ActionResult<CreatedInvite>> {
  const admin = await requireAdmin();
  const input = inviteInput.safeParse({
    email: formData.get("email"),
    role: formData.get("role"),
    workspaceIds: formData.getAll("workspaceIds"),
  });
  if (!input.success) return failed(firstIssue(input.error));
  const { email, role } = input.data;

  const db = await getDb();
  const workspaces = await listWorkspacesFor(db, admin);
  const chosen = workspaces.filter((w) => input.data.workspaceIds.includes(w.id));
  if (chosen.length !== new Set(input.data.workspaceIds).size) return failed("A selected workspace no longer exists. Reload the page.");
  // One live link per email: a second one would fail on acceptance anyway, and a lost link is
  // replaced by revoking it first.
  if (await findPendingInviteByEmail(db, email)) {
    return failed(`${email} already has a pending invite. Revoke it below to send a new link.`);
  }

  let invite: Awaited<ReturnType<typeof createInvite>>;
  try {
    invite = await createInvite(db, { email, role, workspaceIds: chosen.map((w) => w.id), createdBy: admin.id });
  } catch (error) {
    if (error instanceof InviteError) return failed(error.message);
    throw error;
  }
  await recordAudit(db, {
    actor: admin,
    action: "invite.created",
    target: email,
    detail: { role, workspaces: chosen.map((w) => w.slug) },
    request: await currentRequestInfo(),
  });
  revalidatePath(PATH);
  const link = `${inviteOrigin(env.PUBLIC_URL, await headers())}/invite/${encodeURIComponent(invite.token)}`;
  return succeeded(`Invite created for ${email}.`, { email, link, expiresAt: invite.expiresAt.toISOString() });
}

const revokeInput = z.object({ inviteId: z.uuid({ error: "That invite no longer exists. Reload the page." }) });

export async function revokePendingInvite(_previous: ActionResult, formData: FormData): Promise<ActionResult> {
  const admin = await requireAdmin();
  const input = revokeInput.safeParse({ inviteId: formData.get("inviteId") });
  if (!input.success) return failed(firstIssue(input.error));

  const db = await getDb();
  const email = await revokeInvite(db, input.data.inviteId);
  if (!email) return failed("That invite was already used, revoked or has expired. Reload the page.");
  await recordAudit(db, {
    actor: admin,
    action: "invite.revoked",
    target: email,
    detail: { inviteId: input.data.inviteId },
    request: await currentRequestInfo(),
  });
  revalidatePath(PATH);
  return succeeded(`Invite for ${email} revoked: its link no longer works.`);
}
