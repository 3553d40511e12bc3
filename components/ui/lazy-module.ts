import { useEffect, useState, useSyncExternalStore } from "react";

export interface LazyModule<T> {
  /** Starts loading (once; a failed load is tried again on the next call). */
  load(): Promise<T>;
  /** The module once loaded; null on the server, while hydrating and until then. */
  useLoaded(): T | null;
}

/**
 * A module the page fetches only when someone needs it (a menu opened, a sheet shown), so it stays
 * out of the first load. Every component reading it re-renders once it arrives.
 */
export function lazyModule<T>(importer: () => Promise<T>): LazyModule<T> {
  let loaded: T | null = null;
  let loading: Promise<T> | null = null;
  const listeners = new Set<() => void>();
  const subscribe = (listener: () => void) => {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  };
  const load = () =>
    (loading ??= importer().then(
      (module) => {
        loaded = module;
        for (const listener of listeners) listener();
        return module;
      },
      (error: unknown) => {
        loading = null;
        throw error;
      },
    ));
  return {
    load,
    // The server snapshot (null) also serves hydration, so the first client render matches the HTML.
    useLoaded: () =>
      useSyncExternalStore(
        subscribe,
        () => loaded,
        () => null,
      ),
  };
}

/**
 * A lazily loaded root (a menu, a sheet): it switches to the real implementation once it is
 * wanted (opened, or asked to open) and keeps it, so it can animate closing. Until then the
 * caller renders its stand-in and calls `requestOpen` when someone opens it.
 */
export function useLazyRoot<T>(
  lazy: LazyModule<T>,
  { open, defaultOpen, onOpenChange }: { open?: boolean; defaultOpen?: boolean; onOpenChange?: (open: boolean) => void },
): { impl: T | null; requestOpen: () => void } {
  const loaded = lazy.useLoaded();
  const [wanted, setWanted] = useState(Boolean(defaultOpen));
  if (open && !wanted) setWanted(true);
  // A failed fetch (offline) is tried again on the next request to open.
  useEffect(() => {
    if (wanted) void lazy.load();
  }, [lazy, wanted, open]);
  const requestOpen = () => {
    setWanted(true);
    onOpenChange?.(true);
    void lazy.load();
  };
  return { impl: wanted ? loaded : null, requestOpen };
}
