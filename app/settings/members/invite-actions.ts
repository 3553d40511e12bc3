"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { z } from "zod";

import { failed, succeeded, type ActionResult, type CreatedInvite } from "@/components/settings/action-result";
import { recordAudit } from "@/lib/audit";
import { withAction } from "@/lib/auth/action";
import { createInvite, findPendingInviteByEmail, InviteError, inviteOrigin, revokeInvite } from "@/lib/auth/invites";
import { currentRequestInfo } from "@/lib/auth/request-info";
import { findUserByEmail } from "@/lib/auth/users";
import { getDb } from "@/lib/db";
import { ROLES } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { listOf } from "@/lib/http/fields";
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
  workspaceIds: listOf(z.uuid({ error: "A selected workspace no longer exists. Reload the page." }), 1_000),
});

// An invite adds a member with a role and workspace access: a recent sign-in is asked for first.
export const inviteMember = withAction(
  { permission: "members.manage", input: inviteInput, fresh: PATH },
  async ({ input, user: admin }): Promise<ActionResult<CreatedInvite>> => {
    const { email, role } = input;

    const db = await getDb();
    const workspaces = await listWorkspacesFor(db, admin);
    const chosen = workspaces.filter((w) => input.workspaceIds.includes(w.id));
    if (chosen.length !== new Set(input.workspaceIds).size) return failed("A selected workspace no longer exists. Reload the page.");
    // Said before anything about the form's fields: no invite can help an existing account.
    if (await findUserByEmail(db, email)) return failed("A member with this email already exists.");
    // One live link per email: a second one would fail on acceptance anyway, and a lost link is
    // replaced by revoking it first.
    if (await findPendingInviteByEmail(db, email)) {
      return failed(`${email} already has a pending invite. Revoke it below to send a new link.`);
    }

    // A member with no workspace could open nothing: admins see every workspace, members need one.
    if (role === "member" && chosen.length === 0) {
      return failed(
        workspaces.length === 0
          ? "Add a workspace first: a member needs at least one to open."
          : "Choose at least one workspace the member can open.",
        "workspaceIds",
      );
    }

    const request = await currentRequestInfo();
    let invite: Awaited<ReturnType<typeof createInvite>>;
    try {
      invite = await db.transaction(async (tx) => {
        const created = await createInvite(tx, {
          email,
          role,
          workspaceIds: role === "admin" ? [] : chosen.map((w) => w.id),
          createdBy: admin.id,
        });
        await recordAudit(tx, {
          actor: admin,
          action: "invite.created",
          target: email,
          detail: { role, workspaces: role === "admin" ? "all" : chosen.map((w) => w.slug) },
          request,
        });
        return created;
      });
    } catch (error) {
      if (error instanceof InviteError) return failed(error.message);
      throw error;
    }
    revalidatePath(PATH);
    const link = `${inviteOrigin(env.PUBLIC_URL, await headers())}/invite/${encodeURIComponent(invite.token)}`;
    return succeeded(`Invite created for ${email}.`, { email, link, expiresAt: invite.expiresAt.toISOString() });
  },
);

const revokeInput = z.object({ inviteId: z.uuid({ error: "That invite no longer exists. Reload the page." }) });

export const revokePendingInvite = withAction(
  { permission: "members.manage", input: revokeInput, fresh: PATH },
  async ({ input, user: admin }): Promise<ActionResult> => {
    const db = await getDb();
    const request = await currentRequestInfo();
    const email = await db.transaction(async (tx) => {
      const revoked = await revokeInvite(tx, input.inviteId);
      if (revoked)
        await recordAudit(tx, { actor: admin, action: "invite.revoked", target: revoked, detail: { inviteId: input.inviteId }, request });
      return revoked;
    });
    if (!email) return failed("That invite was already used, revoked or has expired. Reload the page.");
    revalidatePath(PATH);
    return succeeded(`Invite for ${email} revoked: its link no longer works.`);
  },
);
