"use server";

import { z } from "zod";

import { signIn } from "@/lib/auth/config";
import { acceptInviteWithPassword } from "@/lib/auth/invites";
import { currentRequestInfo } from "@/lib/auth/request-info";
import { getDb } from "@/lib/db";
import { passwordProblem } from "@/lib/security/password";

/** A refusal, with the field it is about when there is one (the form shows it there and focuses it). */
export type InviteState = { error: string; field?: "name" | "password" | "confirm" } | null;

const inviteForm = z.object({
  token: z.string().min(1),
  name: z.string().trim().min(1, "Enter your name.").max(120),
  password: z.string(),
  confirm: z.string(),
});

export async function acceptInviteAction(_: InviteState, form: FormData): Promise<InviteState> {
  const parsed = inviteForm.safeParse(Object.fromEntries(form));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { error: issue?.message ?? "Check the form.", ...(issue?.path[0] === "name" ? { field: "name" as const } : {}) };
  }
  const { token, name, password, confirm } = parsed.data;
  if (password !== confirm) return { error: "The passwords do not match.", field: "confirm" };
  const db = await getDb();
  const request = await currentRequestInfo();
  // Throttled, and the token checked before anything is hashed (lib/auth/invites.ts).
  const result = await acceptInviteWithPassword(db, token, { name, password }, request);
  if (!result.ok) return result.error === passwordProblem(password) ? { error: result.error, field: "password" } : { error: result.error };
  await signIn("credentials", { email: result.user.email, password, redirectTo: "/" });
  return null;
}
