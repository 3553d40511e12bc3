import "server-only";

import { and, asc, eq, sql } from "drizzle-orm";

import { GRANTABLE_PER_WORKSPACE, seesEveryWorkspace, type WorkspacePermission } from "./auth/permissions";
import type { AppUser } from "./auth/users";
import type { Database } from "./db";
import { invites, workspaceAccess, workspaces } from "./db/schema";
import { appExportCache } from "./reports/cache";
import { seal } from "./security/secret-box";
import { isTrilletError } from "./trillet/errors";
import type { WorkspaceGateway } from "./trillet/gateway";
import { apiKeyAad, forgetGateway, gatewayFor, workspaceIdAad } from "./trillet/registry";

/** What a page may show about a workspace: never its credentials. */
export interface WorkspaceInfo {
  id: string;
  slug: string;
  name: string;
}

export interface Workspace extends WorkspaceInfo {
  gateway: WorkspaceGateway;
  /** Extra permissions an admin granted this user in this workspace (lib/auth/permissions.ts). */
  grants?: WorkspacePermission[];
}

/** The admin's view of a connection: the key only as its last four characters. */
export interface WorkspaceSettings extends WorkspaceInfo {
  baseUrl: string;
  apiKeyLast4: string;
  defaultAgentId: string | null;
  updatedAt: Date;
  /** The last "Test connection" (null: never tested). */
  lastTest: { verdict: ConnectionVerdict; at: Date } | null;
}

const info = { id: workspaces.id, slug: workspaces.slug, name: workspaces.name };

export async function listWorkspacesFor(db: Database, user: AppUser): Promise<WorkspaceInfo[]> {
  if (seesEveryWorkspace(user)) return db.select(info).from(workspaces).orderBy(asc(workspaces.name));
  return db
    .select(info)
    .from(workspaces)
    .innerJoin(workspaceAccess, eq(workspaceAccess.workspaceId, workspaces.id))
    .where(eq(workspaceAccess.userId, user.id))
    .orderBy(asc(workspaces.name));
}

/** The workspace if it exists and this user may use it; null otherwise (the caller answers 404). */
export async function findWorkspaceFor(db: Database, user: AppUser, slug: string): Promise<Workspace | null> {
  const [row] = await db.select().from(workspaces).where(eq(workspaces.slug, slug));
  if (!row) return null;
  let grants: WorkspacePermission[] = [];
  if (!seesEveryWorkspace(user)) {
    const [grant] = await db
      .select()
      .from(workspaceAccess)
      .where(and(eq(workspaceAccess.userId, user.id), eq(workspaceAccess.workspaceId, row.id)));
    if (!grant) return null;
    grants = grant.grants.filter((g): g is WorkspacePermission => (GRANTABLE_PER_WORKSPACE as readonly string[]).includes(g));
  }
  return { id: row.id, slug: row.slug, name: row.name, gateway: await gatewayFor(row), grants };
}

const VERDICTS: readonly string[] = ["valid", "rejected", "unreachable", "blocked"] satisfies ConnectionVerdict[];

export async function listWorkspaceSettings(db: Database): Promise<WorkspaceSettings[]> {
  const rows = await db
    .select({
      ...info,
      baseUrl: workspaces.baseUrl,
      apiKeyLast4: workspaces.apiKeyLast4,
      defaultAgentId: workspaces.defaultAgentId,
      updatedAt: workspaces.updatedAt,
      lastTestVerdict: workspaces.lastTestVerdict,
      lastTestedAt: workspaces.lastTestedAt,
    })
    .from(workspaces)
    .orderBy(asc(workspaces.name));
  return rows.map(({ lastTestVerdict, lastTestedAt, ...row }) => ({
    ...row,
    lastTest:
      lastTestVerdict && lastTestedAt && VERDICTS.includes(lastTestVerdict)
        ? { verdict: lastTestVerdict as ConnectionVerdict, at: lastTestedAt }
        : null,
  }));
}

/**
 * Keeps the last "Test connection" verdict so it is still shown after a reload. updatedAt is left
 * alone: it versions the credentials (a new value would drop the workspace's gateway and cache).
 */
export async function recordConnectionTest(db: Database, id: string, verdict: ConnectionVerdict, at = new Date()): Promise<void> {
  await db.update(workspaces).set({ lastTestVerdict: verdict, lastTestedAt: at }).where(eq(workspaces.id, id));
}

/**
 * Removes a workspace and everything that belongs to it: its tracked batches, their copy (mirror
 * calls and syncs), retry starts, export slots, notification channels with their outbox and
 * deliveries, and members' access grants. Every one of those tables references the workspace
 * with ON DELETE CASCADE, so the one DELETE removes them together, in the caller's transaction.
 */
export async function removeWorkspace(db: Database, id: string): Promise<WorkspaceInfo | null> {
  const [row] = await db.delete(workspaces).where(eq(workspaces.id, id)).returning(info);
  if (!row) return null;
  // Pending invites list workspaces by id (jsonb, no foreign key): this one is taken off them.
  await db
    .update(invites)
    .set({ workspaceIds: sql`${invites.workspaceIds} - ${id}::text` })
    .where(sql`${invites.workspaceIds} ? ${id}::text`);
  return row;
}

/** After the removal committed: this process forgets the workspace's gateway and deletes its kept reports. */
export async function forgetRemovedWorkspace(id: string): Promise<void> {
  forgetGateway(id);
  await appExportCache()?.forgetWorkspace(id);
}

/** Deletes the kept reports of workspaces no longer in the database (removed on another instance). */
export async function pruneRemovedWorkspaceExports(db: Database): Promise<number> {
  const cache = appExportCache();
  if (!cache) return 0;
  const ids = (await db.select({ id: workspaces.id }).from(workspaces)).map((w) => w.id);
  return cache.keepOnlyWorkspaces(ids);
}

export interface WorkspaceInput {
  slug: string;
  name: string;
  baseUrl: string;
  /** Omitted on edit to keep the stored value (the UI never shows it). */
  trilletWorkspaceId?: string;
  apiKey?: string;
  /** The agent retry batches start with by default; null clears it, omitted keeps it. */
  defaultAgentId?: string | null;
}

/** Keys shorter than this show no last characters at all: 4 of them would be too much of the key. */
export const MIN_KEY_LENGTH_FOR_HINT = 16;

/** The last 4 characters of an API key, shown to admins to tell keys apart; "" for a short key. */
export function keyHint(apiKey: string): string {
  return apiKey.length >= MIN_KEY_LENGTH_FOR_HINT ? apiKey.slice(-4) : "";
}

export async function createWorkspace(
  db: Database,
  input: Required<Omit<WorkspaceInput, "defaultAgentId">> & Pick<WorkspaceInput, "defaultAgentId">,
): Promise<WorkspaceInfo> {
  const id = crypto.randomUUID();
  const [row] = await db
    .insert(workspaces)
    .values({
      id,
      slug: input.slug,
      name: input.name,
      baseUrl: input.baseUrl,
      apiKeyEnc: seal(input.apiKey, apiKeyAad(id)),
      apiKeyLast4: keyHint(input.apiKey),
      trilletWorkspaceIdEnc: seal(input.trilletWorkspaceId, workspaceIdAad(id)),
      defaultAgentId: input.defaultAgentId ?? null,
    })
    .returning(info);
  return row!;
}

export async function updateWorkspace(db: Database, id: string, input: WorkspaceInput): Promise<WorkspaceInfo | null> {
  const [row] = await db
    .update(workspaces)
    .set({
      slug: input.slug,
      name: input.name,
      baseUrl: input.baseUrl,
      updatedAt: new Date(),
      ...(input.apiKey ? { apiKeyEnc: seal(input.apiKey, apiKeyAad(id)), apiKeyLast4: keyHint(input.apiKey) } : {}),
      ...(input.trilletWorkspaceId ? { trilletWorkspaceIdEnc: seal(input.trilletWorkspaceId, workspaceIdAad(id)) } : {}),
      ...(input.defaultAgentId !== undefined ? { defaultAgentId: input.defaultAgentId } : {}),
    })
    .where(eq(workspaces.id, id))
    .returning(info);
  return row ?? null;
}

export async function findWorkspaceById(db: Database, id: string): Promise<Workspace | null> {
  const [row] = await db.select().from(workspaces).where(eq(workspaces.id, id));
  return row ? { id: row.id, slug: row.slug, name: row.name, gateway: await gatewayFor(row) } : null;
}

/** "blocked": the base URL breaks the outbound URL rule (lib/security/outbound-url.ts); nothing was sent. */
export type ConnectionVerdict = "valid" | "rejected" | "unreachable" | "blocked";

// A batch id no workspace has: Trillet checks credentials first, so "not found" proves them valid.
const PROBE_BATCH = "batchboard-connection-check";

/** "Test connection": one status read through the workspace's own gateway (and budget). */
export async function testConnection(workspace: Workspace): Promise<ConnectionVerdict> {
  try {
    await workspace.gateway.getBatchStatus(PROBE_BATCH, { fresh: true });
    return "valid";
  } catch (error) {
    if (isTrilletError(error) && error.kind === "not_found") return "valid";
    if (isTrilletError(error) && error.kind === "credentials") return "rejected";
    // The same check as every read (the client's): a private or non-https URL is never probed.
    if (isTrilletError(error) && error.name === "RefusedUrlError") return "blocked";
    return "unreachable";
  }
}

/** TRILLET_API_KEY + TRILLET_WORKSPACE_ID in the environment create or update one workspace. */
export async function ensureWorkspaceFromSettings(
  db: Database,
  settings: { slug: string; name: string; baseUrl: string; apiKey: string; trilletWorkspaceId: string },
): Promise<WorkspaceInfo> {
  const find = async () => (await db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.slug, settings.slug)))[0];
  const input = { ...settings };
  const existing = await find();
  if (existing) return (await updateWorkspace(db, existing.id, input))!;
  try {
    return await createWorkspace(db, input);
  } catch (error) {
    // Several instances starting together on an empty database: one created it first.
    const created = await find();
    if (!created) throw error;
    return (await updateWorkspace(db, created.id, input))!;
  }
}

/** The extra permissions a member holds in a workspace they have access to (replaces the list). */
export async function setWorkspaceGrants(db: Database, userId: string, workspaceId: string, grants: readonly WorkspacePermission[]) {
  await db
    .update(workspaceAccess)
    .set({ grants: [...grants] })
    .where(and(eq(workspaceAccess.userId, userId), eq(workspaceAccess.workspaceId, workspaceId)));
}

export async function setWorkspaceAccess(db: Database, userId: string, workspaceId: string, granted: boolean) {
  if (granted) {
    await db.insert(workspaceAccess).values({ userId, workspaceId }).onConflictDoNothing();
  } else {
    await db.delete(workspaceAccess).where(and(eq(workspaceAccess.userId, userId), eq(workspaceAccess.workspaceId, workspaceId)));
  }
}
