import { useSyncExternalStore } from "react";

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
    useLoaded: () => useSyncExternalStore(subscribe, () => loaded, () => null),
  };
}
