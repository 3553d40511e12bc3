import "server-only";

import { and, eq } from "drizzle-orm";

import { recordAudit, recordAuditEvent, type Actor, type RequestInfo } from "../audit";
import type { Database } from "../db";
import { mirrorSyncs, trackedBatches } from "../db/schema";
import { requestSync } from "../mirror/sync";
import { isTrilletError } from "../trillet/errors";
import type { Workspace } from "../workspaces";

// Cancelling a batch: Trillet stops its waiting calls and lets active ones finish. Sent once; a
// lost answer is reported as unknown (cancelling again is harmless, so the user may simply retry).

export type CancelResult = { state: "cancelled" } | { state: "failed"; message: string } | { state: "unknown"; message: string };

export async function cancelBatch(
  db: Database,
  workspace: Workspace,
  actor: Actor,
  batchId: string,
  waitingBefore: number | null,
  request: RequestInfo | null = null,
): Promise<CancelResult> {
  const detail = { waiting: waitingBefore };
  try {
    await workspace.gateway.cancelBatch(batchId);
  } catch (error) {
    if (!isTrilletError(error)) throw error;
    const unknown = error.kind === "outcome_unknown";
    // Nothing changed here (Trillet refused or did not answer): the entry is the only write.
    await recordAuditEvent(db, {
      actor,
      action: unknown ? "batch.cancel_unknown" : "batch.cancel_failed",
      target: batchId,
      detail: { ...detail, error: error.message },
      request,
    });
    return unknown
      ? {
          state: "unknown",
          message: "Trillet did not confirm the cancel. Reload the page to see the batch's status; cancelling again is safe.",
        }
      : { state: "failed", message: error.message };
  }
  const now = new Date();
  await db.transaction(async (tx) => {
    await tx
      .update(trackedBatches)
      .set({ cancelledAt: now })
      .where(and(eq(trackedBatches.workspaceId, workspace.id), eq(trackedBatches.batchId, batchId)));
    // The copy learns it too: a cancelled batch's stopped calls stay "waiting", and it is final
    // once no call is active.
    await tx
      .update(mirrorSyncs)
      .set({ cancelled: true })
      .where(and(eq(mirrorSyncs.workspaceId, workspace.id), eq(mirrorSyncs.batchId, batchId)));
    await recordAudit(tx, { actor, action: "batch.cancelled", target: batchId, detail, request });
  });
  await requestSync(db, workspace.id, batchId);
  return { state: "cancelled" };
}
