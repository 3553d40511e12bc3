import type { AppUser } from "@/lib/auth/users";
import { PEER_HEADER, peerHeaderValue } from "@/lib/http/client-address";

// The request a server action runs in, for integration tests that call actions directly: who is
// signed in (the session), the headers it arrived with, and what it revalidated. A test file
// points the framework's modules at this one, each with one line:
//
//   vi.mock("@/lib/auth/guards", () => import("../support/request").then((m) => m.guards));
//   vi.mock("next/headers", () => import("../support/request").then((m) => m.nextHeaders));
//   vi.mock("next/cache", () => import("../support/request").then((m) => m.nextCache));
//
// and each test says who is signed in with signedInAs(user) (no test relies on an earlier one's).

/** The client's address: the TCP peer the server stamps on each request (lib/http/client-address.ts). */
export const CLIENT_IP = "203.0.113.9";

const defaultHeaders = () =>
  new Headers({
    host: "board.example.com",
    "x-forwarded-proto": "https",
    "x-forwarded-for": CLIENT_IP,
    "user-agent": "vitest",
    [PEER_HEADER]: peerHeaderValue(CLIENT_IP),
  });

const state = {
  user: null as AppUser | null,
  sessionId: null as string | null,
  headers: defaultHeaders(),
  revalidated: [] as string[],
};

/** Signs `user` in for what follows (with `sessionId`, the session row requireFreshSignIn reads). */
export function signedInAs(user: AppUser | null, sessionId: string | null = null) {
  state.user = user;
  state.sessionId = sessionId;
  state.headers = defaultHeaders();
  state.revalidated = [];
}

/** Swaps the session row only (a second sign-in of the same user). */
export function switchSession(sessionId: string | null) {
  state.sessionId = sessionId;
}

export const currentRequest = state;

/** Stands in for @/lib/auth/guards: the session is whoever signedInAs named. */
export const guards = {
  currentUser: async () => state.user,
  currentSessionId: async () => state.sessionId,
  // The real rule (lib/workspaces.ts) on the app's database: what the signed-in user may see.
  visibleWorkspace: async (user: AppUser, slug: string) => {
    const [{ getDb }, { findWorkspaceFor }] = await Promise.all([import("@/lib/db"), import("@/lib/workspaces")]);
    return findWorkspaceFor(await getDb(), user, slug);
  },
};

/** Stands in for next/headers. */
export const nextHeaders = { headers: async () => state.headers };

/** Stands in for next/cache: records the paths revalidated. */
export const nextCache = {
  revalidatePath: (path: string) => {
    state.revalidated.push(path);
  },
};

/** Stands in for @/lib/auth/fresh-sign-in when a test is about something else than the 15-minute rule. */
export const freshSignIn = { requireFreshSignIn: async () => {} };

/** A FormData from plain fields (an array appends the key once per value), as a form posts it. */
export function form(fields: Record<string, string | string[]>) {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) for (const v of [value].flat()) data.append(key, v);
  return data;
}
