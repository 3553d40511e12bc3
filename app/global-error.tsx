"use client";

import { RotateCcwIcon } from "lucide-react";
import { useEffect } from "react";

import { Button } from "@/components/ui/button";

import "./globals.css";

function getDigest(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "digest" in error) {
    const { digest } = error as { digest?: unknown };
    return typeof digest === "string" && digest !== "" ? digest : undefined;
  }
  return undefined;
}

// Replaces the root layout, so ThemeProvider is not mounted: apply the stored theme ourselves.
function useStoredTheme() {
  useEffect(() => {
    let stored: string | null = null;
    try {
      stored = window.localStorage.getItem("theme");
    } catch {
      // Storage can be unavailable (privacy mode); fall back to the OS preference.
    }
    const dark = stored === "dark" || (stored !== "light" && window.matchMedia("(prefers-color-scheme: dark)").matches);
    document.documentElement.classList.toggle("dark", dark);
  }, []);
}

export default function GlobalError({ error, retry }: { error: unknown; reset: () => void; retry: () => void }) {
  const digest = getDigest(error);
  useStoredTheme();

  useEffect(() => {
    console.error(error);
  }, [error]);

  return (
    <html lang="en">
      <body className="flex min-h-dvh items-center justify-center bg-background p-6 font-sans text-foreground antialiased">
        <title>Something went wrong · Batchboard</title>
        <main role="alert" className="w-full max-w-md space-y-4 rounded-xl border bg-card p-6 text-card-foreground shadow-sm">
          <h1 className="text-lg font-semibold">Something went wrong</h1>
          <p className="text-sm text-muted-foreground">Batchboard hit an unexpected error. Please try again in a moment.</p>
          {digest ? (
            <p className="text-xs text-muted-foreground">
              Error reference: <code className="font-mono text-foreground">{digest}</code>
            </p>
          ) : null}
          <Button onClick={() => retry()}>
            <RotateCcwIcon aria-hidden="true" />
            Try again
          </Button>
        </main>
      </body>
    </html>
  );
}
