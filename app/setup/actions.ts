"use server";

import { z } from "zod";

import { signIn } from "@/lib/auth/config";
import { currentRequestInfo } from "@/lib/auth/request-info";
import { setupFirstAdmin } from "@/lib/auth/setup";
import { getDb } from "@/lib/db";

export type SetupState = { error: string } | null;

const setupForm = z.object({
  token: z.string().min(1, "The setup link is missing its token: copy it again from the server log."),
  name: z.string().trim().max(120),
  email: z.email("Enter a valid email address.").max(320),
  password: z.string(),
  confirm: z.string(),
});

export async function setupAction(_: SetupState, form: FormData): Promise<SetupState> {
  const parsed = setupForm.safeParse(Object.fromEntries(form));
  if (!parsed.success) return { error: parsed.error.issues[0]?.message ?? "Check the form." };
  const { token, name, email, password, confirm } = parsed.data;
  if (password !== confirm) return { error: "The passwords do not match." };
  const db = await getDb();
  const request = await currentRequestInfo();
  // Throttled, and the token checked before anything is hashed (lib/auth/setup.ts).
  const result = await setupFirstAdmin(db, token, { email, name, password }, request);
  if (!result.ok) return { error: result.error };
  await signIn("credentials", { email, password, redirectTo: "/settings/workspaces" });
  return null;
}
