import type { Metadata } from "next";
import Link from "next/link";

import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { findPendingInvite } from "@/lib/auth/invites";
import { getDb } from "@/lib/db";

import { InviteForm } from "./invite-form";

export const metadata: Metadata = { title: "Join", referrer: "no-referrer" };

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const invite = await findPendingInvite(await getDb(), token);
  return (
    <div className="flex flex-1 items-start justify-center px-4 py-12">
      <Card className="w-full max-w-md">
        <CardHeader>
          <CardTitle>
            <h1 className="text-xl">{invite ? "Join Batchboard" : "This invite link does not work"}</h1>
          </CardTitle>
          <CardDescription>
            {invite
              ? `You were invited as ${invite.role === "admin" ? "an admin" : "a member"}. Choose a password to finish.`
              : "It is invalid, expired, or was already used. Ask your admin for a new one."}
          </CardDescription>
        </CardHeader>
        <CardContent>
          {invite ? (
            <InviteForm token={token} email={invite.email} />
          ) : (
            <Link className="text-sm underline" href="/login">
              Go to sign in
            </Link>
          )}
        </CardContent>
      </Card>
    </div>
  );
}
