import type { Metadata } from "next";
import Link from "next/link";

import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { setupOpen } from "@/lib/auth/setup";
import { getDb } from "@/lib/db";

import { SetupForm } from "./setup-form";

export const metadata: Metadata = { title: "Set up" };

interface Props {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export default async function SetupPage({ searchParams }: Props) {
  const { token } = await searchParams;
  const open = await setupOpen(await getDb());
  return (
    <div className="flex flex-1 items-start justify-center px-4 py-12">
      <Card className="w-full max-w-md">
        <CardHeader>
          <CardTitle>
            <h1 className="text-xl">Set up Batchboard</h1>
          </CardTitle>
          <CardDescription>
            {open ? "Create the first admin account. The setup link in the server log carries a one-time token." : "Setup is done."}
          </CardDescription>
        </CardHeader>
        <CardContent>
          {open ? (
            <SetupForm token={typeof token === "string" ? token : ""} />
          ) : (
            <p className="text-sm">
              An admin already exists.{" "}
              <Link className="underline" href="/login">
                Sign in
              </Link>{" "}
              instead.
            </p>
          )}
        </CardContent>
      </Card>
    </div>
  );
}
