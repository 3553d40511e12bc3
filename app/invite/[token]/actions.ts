"use server";

import { z } from "zod";
import { recordAudit } from "@/lib/audit";
import { signIn } from "@/lib/auth/config";
import { acceptInvite, InviteError } from "@/lib/auth/invites";
import { currentRequestInfo } from "@/lib/auth/request-info";
import { getDb } from "@/lib/db";
import { passwordProblem } from "@/lib/security/password";

export type InviteState = { error: string } | null;

const inviteForm = z.object({
  token: z.string().min(1),
  name: z.string().trim().min(1, "Enter your name.").max(120),
  password: z.string(),
  confirm: z.string(),
});

export async function acceptInviteAction(_: InviteState, form: FormData): Promise<InviteState> {
  const parsed = inviteForm.safeParse(Object.fromEntries(form));
  if (!parsed.success) return { error: parsed.error.issues[0]?.message ?? "Check the form." };
  const { token, name, password, confirm } = parsed.data;
  const problem = passwordProblem(password);
  if (problem) return { error: problem };
  if (password !== confirm) return { error: "The passwords do not match." };
  const db = await getDb();
  let email: string;
  try {
    const user = await acceptInvite(db, { token }, { name, password });
    email = user.email;
    await recordAudit(db, { actor: user, action: "invite.accepted", target: user.email, request: await currentRequestInfo() });
  } catch (error) {
    if (error instanceof InviteError) return { error: error.message };
    throw error;
  }
  await signIn("credentials", { email, password, redirectTo: "/" });
  return null;
}
