"use client";

import { useEffect } from "react";

/** How long after a click a re-rendered page may take to bring the same control back. */
const RESTORE_WINDOW_MS = 15_000;

/**
 * Keeps keyboard focus on the control that was used when a navigation re-renders it.
 *
 * Status tabs, sort headers and page buttons are links to the same page with other search
 * params; the page swaps its data section (a Suspense boundary keyed by the view), so the link
 * the person pressed is replaced by a new one and focus falls to <body> (the next Tab then lands
 * on "Skip to content"). A control that carries `data-focus-key` is remembered when it is
 * activated, and while focus is on nothing, the control with the same key in the new tree gets
 * it back. Tabbing or clicking elsewhere forgets it.
 */
export function FocusRestorer() {
  useEffect(() => {
    let pending: { key: string; until: number } | null = null;

    const restore = () => {
      if (!pending) return;
      if (Date.now() > pending.until) {
        pending = null;
        return;
      }
      const active = document.activeElement;
      if (active && active !== document.body && active.isConnected) return;
      const target = document.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(pending.key)}"]`);
      target?.focus({ preventScroll: true });
    };

    const onClick = (event: MouseEvent) => {
      const control = (event.target as Element | null)?.closest?.<HTMLElement>("[data-focus-key]");
      pending = control?.dataset.focusKey ? { key: control.dataset.focusKey, until: Date.now() + RESTORE_WINDOW_MS } : null;
    };
    const onFocusIn = (event: FocusEvent) => {
      const key = (event.target as HTMLElement | null)?.dataset?.focusKey;
      if (pending && key !== pending.key) pending = null;
    };

    const observer = new MutationObserver(restore);
    observer.observe(document.body, { childList: true, subtree: true });
    document.addEventListener("click", onClick, true);
    document.addEventListener("focusin", onFocusIn, true);
    return () => {
      observer.disconnect();
      document.removeEventListener("click", onClick, true);
      document.removeEventListener("focusin", onFocusIn, true);
    };
  }, []);
  return null;
}
