import "server-only";

import type { Database } from "../db";
import { requestSync } from "../mirror/sync";
import type { ListCallsParams } from "../trillet/client";
import type { ViewRead } from "../trillet/gateway";
import { MAX_PAGE_SIZE, type CallsPage } from "../trillet/schemas";
import type { Workspace } from "../workspaces";
import { findTrackedBatch, recordBatchRead } from "./tracked";

/** The first read of a batch nobody opened yet: its first page of failed calls, which a drilldown shows. */
export const FIRST_OPEN_READ: ListCallsParams = { page: 1, limit: MAX_PAGE_SIZE, status: "failed" };

/**
 * Any link to a batch (overview, drilldown, call) works the first time it is opened: a batch
 * nobody tracked yet is checked with Trillet once, through the gateway at interactive priority,
 * then tracked and its copy started. Trillet's typed errors propagate: a 404 there is the only
 * "not found". Returns that read, or null when the batch was already tracked (no upstream request).
 */
export async function ensureTracked(
  db: Database,
  workspace: Workspace,
  batchId: string,
  userId: string | null,
  read: ListCallsParams = FIRST_OPEN_READ,
): Promise<ViewRead<CallsPage> | null> {
  if (await findTrackedBatch(db, workspace.id, batchId)) return null;
  const page = await workspace.gateway.listCalls(batchId, read, { priority: "interactive" });
  // Two people opening the same new link at once both land here: both writes are upserts.
  await recordBatchRead(db, workspace.id, batchId, page.summary, new Date(page.receivedAt), userId);
  await requestSync(db, workspace.id, batchId);
  return page;
}
