"use server";

import { count, eq } from "drizzle-orm";
import { revalidatePath } from "next/cache";
import { z } from "zod";

import { failed, succeeded, type ActionResult } from "@/components/settings/action-result";
import { recordAudit } from "@/lib/audit";
import { withAction } from "@/lib/auth/action";
import { currentRequestInfo } from "@/lib/auth/request-info";
import { getDb } from "@/lib/db";
import { notificationChannels, trackedBatches, workspaceAccess } from "@/lib/db/schema";
import {
  createWorkspace,
  findWorkspaceById,
  forgetRemovedWorkspace,
  listWorkspaceSettings,
  recordConnectionTest,
  removeWorkspace,
  testConnection,
  updateWorkspace,
  type ConnectionVerdict,
} from "@/lib/workspaces";

import { createWorkspaceInput, isUniqueViolation, sqlState, updateWorkspaceInput, workspaceIdInput } from "./workspace-input";

// Secrets go from the parsed form straight into the service: never into a result, an audit
// detail or a log line.

const PATH = "/settings/workspaces";
const GONE = "That workspace no longer exists. Reload the page.";
const SLUG_TAKEN = "That slug is taken.";

// Adding and editing a connection stores credentials: a recent sign-in is asked for first.
export const addWorkspace = withAction(
  { permission: "workspaces.manage", input: createWorkspaceInput, fresh: PATH },
  async ({ input, user: admin }): Promise<ActionResult> => {
    const { slug, name, baseUrl } = input;

    const db = await getDb();
    const request = await currentRequestInfo();
    try {
      await db.transaction(async (tx) => {
        await createWorkspace(tx, input);
        await recordAudit(tx, {
          actor: admin,
          action: "workspace.created",
          target: slug,
          detail: { name, baseUrl, defaultAgentId: input.defaultAgentId },
          request,
        });
      });
    } catch (error) {
      if (isUniqueViolation(error)) return failed(SLUG_TAKEN);
      throw saveFailed(error);
    }
    revalidatePath(PATH);
    return succeeded(`Workspace “${name}” added. Test the connection to check the credentials.`);
  },
);

export const editWorkspace = withAction(
  { permission: "workspaces.manage", input: updateWorkspaceInput, fresh: PATH },
  async ({ input, user: admin }): Promise<ActionResult> => {
    const { workspaceId, slug, name, baseUrl, apiKey, trilletWorkspaceId, defaultAgentId } = input;

    const db = await getDb();
    const current = (await listWorkspaceSettings(db)).find((w) => w.id === workspaceId);
    if (!current) return failed(GONE);
    // Otherwise a new base URL would send the stored key to a host nobody typed it for.
    if (baseUrl !== current.baseUrl && !apiKey) return failed("Enter the API key again to change the base URL.");

    const request = await currentRequestInfo();
    try {
      const saved = await db.transaction(async (tx) => {
        const row = await updateWorkspace(tx, workspaceId, { slug, name, baseUrl, apiKey, trilletWorkspaceId, defaultAgentId });
        if (!row) return null;
        await recordAudit(tx, {
          actor: admin,
          action: "workspace.updated",
          target: slug,
          detail: {
            ...(slug !== current.slug ? { previousSlug: current.slug } : {}),
            name,
            baseUrl,
            defaultAgentId,
            apiKeyReplaced: Boolean(apiKey),
            trilletWorkspaceIdReplaced: Boolean(trilletWorkspaceId),
          },
          request,
        });
        return row;
      });
      if (!saved) return failed(GONE);
    } catch (error) {
      if (isUniqueViolation(error)) return failed(SLUG_TAKEN);
      throw saveFailed(error);
    }
    revalidatePath(PATH);
    return succeeded(`Workspace “${name}” saved.`);
  },
);

const VERDICT_MESSAGES: Record<ConnectionVerdict, (name: string) => string> = {
  valid: (name) => `${name}: Trillet accepted the credentials.`,
  rejected: (name) => `${name}: Trillet rejected the API key or workspace ID.`,
  unreachable: (name) => `${name}: Trillet could not be reached at the base URL.`,
  blocked: (name) => `${name}: the base URL is not allowed (it must be https, and not a private or local address).`,
};

export const testWorkspaceConnection = withAction(
  { permission: "workspaces.manage", input: workspaceIdInput },
  async ({ input, user: admin }): Promise<ActionResult<{ verdict: ConnectionVerdict }>> => {
    const db = await getDb();
    const workspace = await findWorkspaceById(db, input.workspaceId);
    if (!workspace) return failed(GONE);
    const verdict = await testConnection(workspace);
    const request = await currentRequestInfo();
    // Kept with its time, so the result is still shown after a reload; audited in the same transaction.
    await db.transaction(async (tx) => {
      await recordConnectionTest(tx, workspace.id, verdict);
      await recordAudit(tx, { actor: admin, action: "workspace.tested", target: workspace.slug, detail: { verdict }, request });
    });
    revalidatePath(PATH);
    return succeeded(VERDICT_MESSAGES[verdict](workspace.name), { verdict });
  },
);

const removeInput = workspaceIdInput.extend({
  confirmSlug: z.string({ error: "Type the workspace's slug to confirm." }).trim().max(100),
});

// Removing a workspace deletes its credentials, its tracked batches and their copy, its
// notification channels and every member's access to it: an admin change that needs a recent
// sign-in, confirmed by typing the slug, in one transaction with its audit entry.
export const deleteWorkspace = withAction(
  { permission: "workspaces.manage", input: removeInput, fresh: PATH },
  async ({ input, user: admin }): Promise<ActionResult> => {
    const db = await getDb();
    const current = (await listWorkspaceSettings(db)).find((w) => w.id === input.workspaceId);
    if (!current) return failed(GONE);
    if (input.confirmSlug.toLowerCase() !== current.slug) return failed(`Type “${current.slug}” to confirm the removal.`);
    const request = await currentRequestInfo();
    const removed = await db.transaction(async (tx) => {
      const [batches] = await tx.select({ n: count() }).from(trackedBatches).where(eq(trackedBatches.workspaceId, current.id));
      const [channels] = await tx.select({ n: count() }).from(notificationChannels).where(eq(notificationChannels.workspaceId, current.id));
      const [members] = await tx.select({ n: count() }).from(workspaceAccess).where(eq(workspaceAccess.workspaceId, current.id));
      const row = await removeWorkspace(tx, current.id);
      if (!row) return null;
      await recordAudit(tx, {
        actor: admin,
        action: "workspace.removed",
        target: current.slug,
        detail: { name: current.name, batches: batches?.n ?? 0, channels: channels?.n ?? 0, members: members?.n ?? 0 },
        request,
      });
      return row;
    });
    if (!removed) return failed(GONE);
    await forgetRemovedWorkspace(removed.id);
    revalidatePath(PATH);
    return succeeded(`Workspace “${removed.name}” removed with its batches, channels and access grants.`);
  },
);

/** Drizzle's error message lists the query's parameters (sealed secrets among them): keep only the SQL state. */
function saveFailed(error: unknown): Error {
  return new Error(`Saving the workspace failed (SQL state ${sqlState(error) ?? "unknown"}).`);
}
