import "server-only";

import { desc, eq } from "drizzle-orm";

import { can } from "../auth/permissions";
import type { AppUser } from "../auth/users";
import type { Database } from "../db";
import { batchStarts, workspaces } from "../db/schema";
import type { Workspace } from "../workspaces";
import { lineageFunnel, type Funnel } from "./lineage";
import { findTrackedBatch } from "./tracked";

/** What a batch's page needs for retry, cancel and lineage: from the database only. */
export interface BatchLoop {
  label: string | null;
  canStart: boolean;
  canCancel: boolean;
  /** Failed calls at the last read (the retry button's count). */
  failed: number;
  /** Waiting calls at the last read; null before the first. */
  waiting: number | null;
  running: boolean;
  cancelledAt: Date | null;
  funnel: Funnel | null;
  defaultAgentId: string;
}

export async function loadBatchLoop(db: Database, user: AppUser, workspace: Workspace, batchId: string): Promise<BatchLoop> {
  const canStart = can(user, "batches.start", workspace.grants);
  const canCancel = can(user, "batches.cancel", workspace.grants);
  const [tracked, [settings]] = await Promise.all([
    findTrackedBatch(db, workspace.id, batchId),
    db.select({ agent: workspaces.defaultAgentId }).from(workspaces).where(eq(workspaces.id, workspace.id)),
  ]);
  // The workspace's default agent, else the agent of its latest retry: the dialog starts from it.
  let defaultAgentId = settings?.agent ?? "";
  if (!defaultAgentId && canStart) {
    const [latest] = await db
      .select({ agent: batchStarts.agentId })
      .from(batchStarts)
      .where(eq(batchStarts.workspaceId, workspace.id))
      .orderBy(desc(batchStarts.createdAt))
      .limit(1);
    defaultAgentId = latest?.agent ?? "";
  }
  const summary = tracked?.lastSummary ?? null;
  const cancelledAt = tracked?.cancelledAt ?? null;
  return {
    label: tracked?.label || null,
    canStart,
    canCancel,
    failed: summary?.failed ?? 0,
    waiting: summary?.waiting ?? null,
    running: tracked !== null && cancelledAt === null && tracked.finishedAt === null && (summary === null || summary.waiting > 0),
    cancelledAt,
    funnel: tracked ? await lineageFunnel(db, workspace.id, batchId) : null,
    defaultAgentId,
  };
}
