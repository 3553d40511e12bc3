"use server";

import { z } from "zod";
import { recordAudit } from "@/lib/audit";
import { signIn } from "@/lib/auth/config";
import { currentRequestInfo } from "@/lib/auth/request-info";
import { completeSetup } from "@/lib/auth/setup";
import { getDb } from "@/lib/db";
import { passwordProblem } from "@/lib/security/password";

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
  const problem = passwordProblem(password);
  if (problem) return { error: problem };
  if (password !== confirm) return { error: "The passwords do not match." };
  const db = await getDb();
  const admin = await completeSetup(db, token, { email, name, password });
  if (!admin) return { error: "This setup link is not valid (or setup is already done). Use the newest link from the server log." };
  await recordAudit(db, { actor: admin, action: "setup.admin_created", target: admin.email, request: await currentRequestInfo() });
  await signIn("credentials", { email, password, redirectTo: "/settings/workspaces" });
  return null;
}
