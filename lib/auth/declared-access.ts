import type { Permission } from "./permissions";

// What a wrapped route handler or server action declared it needs, readable off the function
// itself: the access tests find every export of app/**/route.ts and every "use server" module and
// refuse one that was not built by withRoute or withAction. A global symbol, so it survives bundles.

export interface DeclaredAccess {
  kind: "route" | "action";
  permission: Permission;
  /** The action asks for a recent sign-in first (lib/auth/fresh-sign-in.ts). */
  fresh: boolean;
}

const ACCESS = Symbol.for("batchboard.declaredAccess");

export function declareAccess<F extends (...args: never[]) => unknown>(fn: F, access: DeclaredAccess): F {
  return Object.assign(fn, { [ACCESS]: access });
}

export function declaredAccess(value: unknown): DeclaredAccess | null {
  if (typeof value !== "function") return null;
  return (value as unknown as Record<symbol, DeclaredAccess | undefined>)[ACCESS] ?? null;
}
