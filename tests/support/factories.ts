import { randomBytes } from "node:crypto";

import { createUser, type AppUser } from "@/lib/auth/users";
import { recordBatchRead } from "@/lib/batches/tracked";
import type { Database } from "@/lib/db";
import type { Role } from "@/lib/db/schema";
import type { GatewayOptions } from "@/lib/trillet/gateway";
import type { BatchSummary } from "@/lib/trillet/schemas";
import { createWorkspace, type Workspace, type WorkspaceInfo } from "@/lib/workspaces";

import { TEST_KEY, TEST_WORKSPACE, type RunningSandbox } from "./sandbox";

// Factories for the rows a test needs: each test makes its own (unique names, so tests sharing a
// file's database never see each other's), instead of leaning on what an earlier test created.
// Vitest runs tests in a random order (vitest.config.ts).

/** A short unique suffix: "sales-3f9a1c". */
export const unique = (prefix: string) => `${prefix}-${randomBytes(3).toString("hex")}`;

export async function createTestUser(
  db: Database,
  input: { role?: Role; email?: string; name?: string; password?: string } = {},
): Promise<AppUser> {
  const role = input.role ?? "member";
  return createUser(db, { email: input.email ?? `${unique(role)}@example.com`, name: input.name, password: input.password, role });
}

export const createAdmin = (db: Database, input: { email?: string; name?: string; password?: string } = {}) =>
  createTestUser(db, { ...input, role: "admin" });

export const createMember = (db: Database, input: { email?: string; name?: string; password?: string } = {}) =>
  createTestUser(db, { ...input, role: "member" });

/** A workspace row; by default pointing at a closed loopback port (nothing is read from it). */
export async function createTestWorkspace(
  db: Database,
  input: {
    slug?: string;
    name?: string;
    baseUrl?: string;
    apiKey?: string;
    trilletWorkspaceId?: string;
    defaultAgentId?: string | null;
  } = {},
): Promise<WorkspaceInfo> {
  const slug = input.slug ?? unique("ws");
  return createWorkspace(db, {
    slug,
    name: input.name ?? slug,
    baseUrl: input.baseUrl ?? "http://127.0.0.1:9",
    apiKey: input.apiKey ?? `sk_test_${randomBytes(8).toString("hex")}`,
    trilletWorkspaceId: input.trilletWorkspaceId ?? `ws_${randomBytes(4).toString("hex")}`,
    defaultAgentId: input.defaultAgentId,
  });
}

/** A workspace connected to the test sandbox, with a gateway to it (the app's services take one). */
export async function createSandboxWorkspace(
  db: Database,
  sb: RunningSandbox,
  input: {
    slug?: string;
    name?: string;
    defaultAgentId?: string | null;
    /** The gateway's settings (a function gets the new row, e.g. to label the gateway with its id as the app does). */
    gateway?: Partial<GatewayOptions> | ((info: WorkspaceInfo) => Partial<GatewayOptions>);
  } = {},
): Promise<Workspace> {
  const { gateway, ...row } = input;
  const info = await createTestWorkspace(db, { ...row, baseUrl: sb.url, apiKey: TEST_KEY, trilletWorkspaceId: TEST_WORKSPACE });
  return { ...info, gateway: sb.gateway(typeof gateway === "function" ? gateway(info) : gateway) };
}

/** A batch on the team's list, as if a member had opened it (read from Trillet at `readAt`). */
export async function trackBatch(
  db: Database,
  workspaceId: string,
  batchId: string,
  summary: BatchSummary = { total: 0, waiting: 0, active: 0, completed: 0, failed: 0 },
  readAt = new Date(),
  userId: string | null = null,
) {
  await recordBatchRead(db, workspaceId, batchId, summary, readAt, userId);
}
