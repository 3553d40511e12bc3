import "server-only";

import { createUser, findUserByEmail, setPassword } from "./auth/users";
import type { Database } from "./db";
import { env } from "./env";
import { ensureWorkspaceFromSettings, setWorkspaceAccess } from "./workspaces";

export const DEMO_USERS = {
  admin: { email: "admin@demo.batchboard.dev", password: "batchboard-demo-admin", name: "Demo Admin" },
  member: { email: "member@demo.batchboard.dev", password: "batchboard-demo-member", name: "Demo Member" },
} as const;

/** The demo's admin, member and "Sandbox" workspace (pointing at the local sandbox). Idempotent. */
export async function seedDemo(db: Database): Promise<string[]> {
  // lib/env.ts refuses this combination at start-up; a second lock here, where the accounts are made.
  if (env.NODE_ENV === "production" && !env.DEMO_SEED_IN_PRODUCTION) {
    throw new Error("DEMO_SEED is refused with NODE_ENV=production unless DEMO_SEED_IN_PRODUCTION=true.");
  }
  const workspace = await ensureWorkspaceFromSettings(db, {
    slug: "sandbox",
    name: "Sandbox",
    baseUrl: `http://127.0.0.1:${env.SANDBOX_PORT}`,
    apiKey: env.SANDBOX_API_KEY,
    trilletWorkspaceId: env.SANDBOX_WORKSPACE_ID,
  });
  for (const [role, demo] of Object.entries(DEMO_USERS) as [keyof typeof DEMO_USERS, (typeof DEMO_USERS)[keyof typeof DEMO_USERS]][]) {
    const existing = await findUserByEmail(db, demo.email);
    const user = existing ?? (await createUser(db, { ...demo, role }));
    if (existing) await setPassword(db, existing.id, demo.password);
    await setWorkspaceAccess(db, user.id, workspace.id, true);
  }
  return [
    "Demo sign-in:",
    `  admin   ${DEMO_USERS.admin.email} / ${DEMO_USERS.admin.password}`,
    `  member  ${DEMO_USERS.member.email} / ${DEMO_USERS.member.password}`,
  ];
}
