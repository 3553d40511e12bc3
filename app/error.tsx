"use client";

import { RotateCcwIcon, TriangleAlertIcon } from "lucide-react";
import Link from "next/link";
import { useEffect } from "react";

import { PageContainer } from "@/components/app-shell/page-container";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardFooter, CardHeader } from "@/components/ui/card";

function getDigest(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "digest" in error) {
    const { digest } = error as { digest?: unknown };
    return typeof digest === "string" && digest !== "" ? digest : undefined;
  }
  return undefined;
}

export default function ErrorPage({ error, retry }: { error: unknown; reset: () => void; retry: () => void }) {
  const digest = getDigest(error);

  useEffect(() => {
    console.error(error);
  }, [error]);

  return (
    <PageContainer className="flex flex-1 items-center justify-center">
      <Card className="w-full max-w-md" role="alert">
        <CardHeader>
          <div className="mb-2 flex size-10 items-center justify-center rounded-full bg-destructive/10 text-destructive">
            <TriangleAlertIcon aria-hidden="true" className="size-5" />
          </div>
          <h1 data-slot="card-title" className="text-lg leading-tight font-semibold">
            Something went wrong
          </h1>
          <CardDescription>An unexpected error occurred while loading this page. Please try again in a moment.</CardDescription>
        </CardHeader>
        {digest ? (
          <CardContent>
            <p className="text-xs text-muted-foreground">
              Error reference: <code className="rounded bg-muted px-1.5 py-0.5 font-mono text-foreground">{digest}</code>
            </p>
          </CardContent>
        ) : null}
        <CardFooter className="flex-wrap gap-2">
          {/* `retry` (Next.js 16.3+) re-fetches the segment and then resets the boundary;
              plain `reset` would re-render the same failed server payload. */}
          <Button onClick={() => retry()}>
            <RotateCcwIcon aria-hidden="true" />
            Try again
          </Button>
          <Button variant="outline" asChild>
            <Link href="/">Go to home</Link>
          </Button>
        </CardFooter>
      </Card>
    </PageContainer>
  );
}
