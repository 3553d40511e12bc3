"use server";

import { z } from "zod";

import { signIn } from "@/lib/auth/config";
import { acceptInviteWithPassword } from "@/lib/auth/invites";
import { currentRequestInfo } from "@/lib/auth/request-info";
import { getDb } from "@/lib/db";

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
  if (password !== confirm) return { error: "The passwords do not match." };
  const db = await getDb();
  const request = await currentRequestInfo();
  // Throttled, and the token checked before anything is hashed (lib/auth/invites.ts).
  const result = await acceptInviteWithPassword(db, token, { name, password }, request);
  if (!result.ok) return { error: result.error };
  await signIn("credentials", { email: result.user.email, password, redirectTo: "/" });
  return null;
}
