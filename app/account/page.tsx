import type { Metadata } from "next";

import { PageContainer } from "@/components/app-shell/page-container";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { requirePermission } from "@/lib/auth/guards";
import { listIdentities, OIDC_REFUSAL_MESSAGES, oidcEnabled, type OidcRefusal } from "@/lib/auth/oidc";
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";

import { linkOidcAction, signOutAction, signOutEverywhereAction } from "./actions";
import { ChangePasswordForm } from "./change-password-form";

export const metadata: Metadata = { title: "Account" };

interface Props {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

/** What the account page says after a "Link <provider> sign-in" round trip (?oidc=...). */
function linkOutcome(value: string | string[] | undefined): { ok: boolean; message: string } | null {
  const code = Array.isArray(value) ? value[0] : value;
  if (!code) return null;
  if (code === "linked") return { ok: true, message: `${env.OIDC_NAME} sign-in is linked: you can now sign in with it.` };
  if (Object.hasOwn(OIDC_REFUSAL_MESSAGES, code)) {
    return { ok: false, message: `Not linked. ${OIDC_REFUSAL_MESSAGES[code as OidcRefusal]}` };
  }
  return null;
}

export default async function AccountPage({ searchParams }: Props) {
  const user = await requirePermission("account.manage");
  const oidc = oidcEnabled();
  const identities = oidc ? await listIdentities(await getDb(), user.id) : [];
  const outcome = oidc ? linkOutcome((await searchParams).oidc) : null;
  return (
    <PageContainer className="flex max-w-2xl flex-col gap-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Account</h1>
        <p className="text-muted-foreground">
          {user.name ? `${user.name} · ` : ""}
          {user.email} · {user.role}
        </p>
      </div>
      <Card>
        <CardHeader>
          <CardTitle>Change password</CardTitle>
          <CardDescription>Your other sessions are signed out when you change it.</CardDescription>
        </CardHeader>
        <CardContent>
          <ChangePasswordForm />
        </CardContent>
      </Card>
      {oidc ? (
        <Card>
          <CardHeader>
            <CardTitle>Sign-in with {env.OIDC_NAME}</CardTitle>
            <CardDescription>
              {identities.length
                ? `Linked (${identities.map((i) => i.email || "no email").join(", ")} at ${env.OIDC_NAME}).`
                : `Not linked. Linking asks you to sign in at ${env.OIDC_NAME}; afterwards either way of signing in opens this account.`}
            </CardDescription>
          </CardHeader>
          <CardContent className="flex flex-col gap-3">
            {outcome ? (
              <p
                role={outcome.ok ? "status" : "alert"}
                className={outcome.ok ? "text-sm" : "text-sm text-destructive"}
                data-testid="oidc-link-outcome"
              >
                {outcome.message}
              </p>
            ) : null}
            <form action={linkOidcAction}>
              <Button type="submit" variant="outline">
                {identities.length ? `Link another ${env.OIDC_NAME} sign-in` : `Link ${env.OIDC_NAME} sign-in`}
              </Button>
            </form>
          </CardContent>
        </Card>
      ) : null}
      <Card>
        <CardHeader>
          <CardTitle>Sessions</CardTitle>
          <CardDescription>Signing out everywhere ends every session of yours, on every device, this one included.</CardDescription>
        </CardHeader>
        <CardContent className="flex flex-wrap gap-3">
          <form action={signOutAction}>
            <Button type="submit" variant="outline">
              Sign out
            </Button>
          </form>
          <form action={signOutEverywhereAction}>
            <Button type="submit" variant="destructive">
              Sign out everywhere
            </Button>
          </form>
        </CardContent>
      </Card>
    </PageContainer>
  );
}
