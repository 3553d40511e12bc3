"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

const EVERY_MS = 5_000;

/**
 * Renders the page again by itself (a server round trip, so the same deadline applies): when
 * Trillet says the budget frees up, or every few seconds, while the tab is visible. A wallboard
 * that met a fault shows the batch again once the fault ends, without anyone reloading it.
 */
export function RetryByItself({ retryAt }: { retryAt?: number }) {
  const router = useRouter();
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout>;
    const schedule = (ms: number) => {
      timer = setTimeout(() => {
        if (document.visibilityState === "visible") router.refresh();
        schedule(EVERY_MS);
      }, ms);
    };
    schedule(Math.min(60_000, Math.max(EVERY_MS, (retryAt ?? 0) - Date.now())));
    return () => clearTimeout(timer);
  }, [router, retryAt]);
  return (
    <p className="text-xs text-muted-foreground" aria-live="polite" data-testid="retry-by-itself">
      This page tries again by itself.
    </p>
  );
}
