import type { Metadata } from "next";
import { redirect } from "next/navigation";

import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Separator } from "@/components/ui/separator";
import { safeCallbackUrl } from "@/lib/auth/callback-url";
import { currentUser } from "@/lib/auth/guards";
import { OIDC_REFUSAL_MESSAGES, oidcEnabled, type OidcRefusal } from "@/lib/auth/oidc";
import { setupOpen } from "@/lib/auth/setup";
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";

import { oidcSignInAction } from "./actions";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Sign in" };

interface Props {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export default async function LoginPage({ searchParams }: Props) {
  const params = await searchParams;
  const callbackUrl = safeCallbackUrl(Array.isArray(params.callbackUrl) ? params.callbackUrl[0] : params.callbackUrl);
  if (await currentUser()) redirect(callbackUrl);
  const firstRun = await setupOpen(await getDb());
  const reason = Array.isArray(params.reason) ? params.reason[0] : params.reason;
  const problem = reason === "disabled" ? DISABLED_MESSAGE : signInProblem(Array.isArray(params.error) ? params.error[0] : params.error);
  return (
    <div className="flex flex-1 items-start justify-center px-4 py-12 sm:items-center">
      <Card className="w-full max-w-sm">
        <CardHeader>
          <CardTitle>
            <h1 className="text-xl">Sign in to Batchboard</h1>
          </CardTitle>
          <CardDescription>Use the email and password your admin set up for you.</CardDescription>
        </CardHeader>
        <CardContent className="flex flex-col gap-4">
          {firstRun ? (
            <p className="rounded-md border p-3 text-sm" role="status">
              No account exists yet. The server log shows a one-time <code>/setup</code> link to create the first admin.
            </p>
          ) : null}
          {problem ? (
            <p role="alert" className="rounded-md border border-destructive/50 p-3 text-sm text-destructive" data-testid="sign-in-problem">
              {problem}
            </p>
          ) : null}
          <LoginForm callbackUrl={callbackUrl} />
          {oidcEnabled() ? (
            <>
              <Separator />
              <form action={oidcSignInAction}>
                <input type="hidden" name="callbackUrl" value={callbackUrl} />
                <Button type="submit" variant="outline" className="w-full">
                  Continue with {env.OIDC_NAME}
                </Button>
              </form>
            </>
          ) : null}
        </CardContent>
      </Card>
    </div>
  );
}

// Shown when the proxy (or a page) found this browser's session ended because its account was disabled.
const DISABLED_MESSAGE = "Your account has been disabled. Ask an admin.";

/**
 * What a failed OIDC sign-in (Auth.js sends it back here with ?error=) means for the visitor:
 * Batchboard's own refusals (lib/auth/oidc.ts) say why; Auth.js's codes read as one message.
 */
function signInProblem(error: string | undefined): string | null {
  if (!error) return null;
  const reason = error.startsWith("oidc_") ? error.slice(5) : "";
  if (Object.hasOwn(OIDC_REFUSAL_MESSAGES, reason)) return OIDC_REFUSAL_MESSAGES[reason as OidcRefusal];
  return `Signing in with ${env.OIDC_NAME} did not work. Try again, or sign in with your password.`;
}
