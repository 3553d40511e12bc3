"use server";

import { redirect } from "next/navigation";
import { z } from "zod";

import { recordAudit, recordAuditEvent } from "@/lib/audit";
import { withAction, withFormAction } from "@/lib/auth/action";
import { safeCallbackUrl } from "@/lib/auth/callback-url";
import { signIn } from "@/lib/auth/config";
import { currentSessionId } from "@/lib/auth/guards";
import { oidcEnabled } from "@/lib/auth/oidc";
import { checkCurrentPassword } from "@/lib/auth/password-check";
import { currentRequestInfo } from "@/lib/auth/request-info";
import { confirmSession } from "@/lib/auth/sessions";
import { retryMessage } from "@/lib/auth/throttle";
import { getDb } from "@/lib/db";

export type ConfirmState = { error: string } | null;

const confirmInput = z.object({
  next: z.string().max(2_000).optional(),
  password: z
    .string({ error: "Enter your password." })
    .min(1, { error: "Enter your password." })
    .max(1024, { error: "Enter your password." }),
});

/**
 * Re-entering the password before an admin change. Throttled like sign-in (the same slots are
 * taken before scrypt runs, lib/auth/password-check.ts), audited either way.
 */
export const confirmPasswordAction = withAction(
  { permission: "account.manage", input: confirmInput, refuse: (error): ConfirmState => ({ error }) },
  async ({ input, user }): Promise<ConfirmState> => {
    const next = safeCallbackUrl(input.next);
    const db = await getDb();
    const info = await currentRequestInfo();
    const check = await checkCurrentPassword(db, user, input.password, info);
    if (check.outcome === "throttled") return { error: `Too many attempts. ${retryMessage(check.retryAfterMs)}` };
    if (check.outcome !== "ok") {
      await recordAuditEvent(db, { actor: user, action: "auth.sign_in_confirm_failed", request: info });
      return { error: "That password is not correct." };
    }
    const sessionId = await currentSessionId();
    if (!sessionId) redirect("/login");
    await db.transaction(async (tx) => {
      await confirmSession(tx, sessionId);
      await recordAudit(tx, { actor: user, action: "auth.sign_in_confirmed", detail: { method: "password" }, request: info });
    });
    redirect(next);
  },
);

/** Without a password: a new sign-in at the provider (asked to authenticate again) confirms. */
export const confirmWithOidcAction = withFormAction(
  { permission: "account.manage", input: z.object({ next: z.string().max(2_000).optional() }) },
  async ({ input }) => {
    if (!oidcEnabled()) return;
    await signIn("oidc", { redirectTo: safeCallbackUrl(input.next) }, { prompt: "login", max_age: "0" });
  },
);
