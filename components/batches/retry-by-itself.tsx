"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

interface Props {
  /** When a first refresh is worth it (Trillet's budget frees up), epoch ms; later ones every `everyMs`. */
  retryAt?: number;
  everyMs?: number;
  children?: React.ReactNode;
}

/**
 * Renders the page again by itself (a server round trip, so the same deadline applies): when
 * Trillet says the budget frees up, then every few seconds, while the tab is visible. A wallboard
 * that met a fault shows the batch again once the fault ends, and a page waiting for a copy shows
 * it once it is there, without anyone reloading.
 */
export function RetryByItself({ retryAt, everyMs = 5_000, children = "This page tries again by itself." }: Props) {
  const router = useRouter();
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout>;
    const schedule = (ms: number) => {
      timer = setTimeout(() => {
        if (document.visibilityState === "visible") router.refresh();
        schedule(everyMs);
      }, ms);
    };
    schedule(Math.min(60_000, Math.max(everyMs, (retryAt ?? 0) - Date.now())));
    return () => clearTimeout(timer);
  }, [router, retryAt, everyMs]);
  return (
    <p className="text-xs text-muted-foreground" aria-live="polite" data-testid="retry-by-itself">
      {children}
    </p>
  );
}
