"use server";

import { revalidatePath } from "next/cache";

import { failed, succeeded, type ActionResult } from "@/components/settings/action-result";
import { recordAudit } from "@/lib/audit";
import { withAction } from "@/lib/auth/action";
import { currentRequestInfo } from "@/lib/auth/request-info";
import { getDb } from "@/lib/db";
import {
  createWorkspace,
  findWorkspaceById,
  listWorkspaceSettings,
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
    try {
      await createWorkspace(db, input);
    } catch (error) {
      if (isUniqueViolation(error)) return failed(SLUG_TAKEN);
      throw saveFailed(error);
    }
    await recordAudit(db, {
      actor: admin,
      action: "workspace.created",
      target: slug,
      detail: { name, baseUrl, defaultAgentId: input.defaultAgentId },
      request: await currentRequestInfo(),
    });
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

    try {
      const saved = await updateWorkspace(db, workspaceId, { slug, name, baseUrl, apiKey, trilletWorkspaceId, defaultAgentId });
      if (!saved) return failed(GONE);
    } catch (error) {
      if (isUniqueViolation(error)) return failed(SLUG_TAKEN);
      throw saveFailed(error);
    }
    await recordAudit(db, {
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
      request: await currentRequestInfo(),
    });
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
    await recordAudit(db, {
      actor: admin,
      action: "workspace.tested",
      target: workspace.slug,
      detail: { verdict },
      request: await currentRequestInfo(),
    });
    return succeeded(VERDICT_MESSAGES[verdict](workspace.name), { verdict });
  },
);

/** Drizzle's error message lists the query's parameters (sealed secrets among them): keep only the SQL state. */
function saveFailed(error: unknown): Error {
  return new Error(`Saving the workspace failed (SQL state ${sqlState(error) ?? "unknown"}).`);
}
