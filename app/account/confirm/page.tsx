import type { Metadata } from "next";

import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { safeCallbackUrl } from "@/lib/auth/callback-url";
import { requirePermission } from "@/lib/auth/guards";
import { oidcEnabled } from "@/lib/auth/oidc";
import { userHasPassword } from "@/lib/auth/users";
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";

import { confirmWithOidcAction } from "./actions";
import { ConfirmPasswordForm } from "./confirm-form";

export const metadata: Metadata = { title: "Confirm it is you" };

interface Props {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

// Where requireFreshSignIn (lib/auth/fresh-sign-in.ts) sends an admin whose sign-in is older than
// 15 minutes: a password (or a new OIDC sign-in) confirms it, then back to `next` (same origin).
export default async function ConfirmPage({ searchParams }: Props) {
  const user = await requirePermission("account.manage");
  const params = await searchParams;
  const next = safeCallbackUrl(Array.isArray(params.next) ? params.next[0] : params.next);
  const hasPassword = await userHasPassword(await getDb(), user.id);
  return (
    <div className="flex flex-1 items-start justify-center px-4 py-12">
      <Card className="w-full max-w-sm">
        <CardHeader>
          <CardTitle>
            <h1 className="text-xl">Confirm it is you</h1>
          </CardTitle>
          <CardDescription>
            Changes to members, roles and workspace credentials need a recent sign-in.{" "}
            {hasPassword ? "Enter your password to continue." : `Sign in again with ${env.OIDC_NAME} to continue.`}
          </CardDescription>
        </CardHeader>
        <CardContent>
          {hasPassword ? (
            <ConfirmPasswordForm next={next} />
          ) : oidcEnabled() ? (
            <form action={confirmWithOidcAction}>
              <input type="hidden" name="next" value={next} />
              <Button type="submit">Continue with {env.OIDC_NAME}</Button>
            </form>
          ) : (
            <p className="text-sm">This account has no password. Ask an admin to make the change.</p>
          )}
        </CardContent>
      </Card>
    </div>
  );
}
