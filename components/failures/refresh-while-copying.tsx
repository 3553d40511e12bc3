"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

/** Re-renders the page every few seconds while a copy runs: a database read, never a Trillet request. */
export function RefreshWhileCopying({ everyMs = 4_000 }: { everyMs?: number }) {
  const router = useRouter();
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") router.refresh();
    }, everyMs);
    return () => clearInterval(timer);
  }, [router, everyMs]);
  return (
    <p className="text-xs text-muted-foreground" aria-live="polite">
      This page updates by itself.
    </p>
  );
}
