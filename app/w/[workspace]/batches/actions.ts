"use server";

import { revalidatePath } from "next/cache";

import { removeBatchInput, renameBatchInput } from "@/components/batches-list/batch-actions-input";
import { failed, succeeded, type ActionResult } from "@/components/settings/action-result";
import { recordAudit } from "@/lib/audit";
import { withAction } from "@/lib/auth/action";
import { currentRequestInfo } from "@/lib/auth/request-info";
import { renameTrackedBatch, untrackBatch } from "@/lib/batches/tracked";
import { getDb } from "@/lib/db";

// The form's `workspace` field names the workspace; withAction checks it and batches.manage.

const GONE = "That batch is no longer in the list. Reload the page.";

export const renameBatch = withAction(
  { permission: "batches.manage", input: renameBatchInput },
  async ({ input: { batchId, label }, user, workspace }): Promise<ActionResult> => {
    const db = await getDb();
    const request = await currentRequestInfo();
    const renamed = await db.transaction(async (tx) => {
      if (!(await renameTrackedBatch(tx, workspace.id, batchId, label))) return false;
      await recordAudit(tx, {
        actor: user,
        action: "batch.renamed",
        target: batchId,
        detail: { workspace: workspace.slug, label },
        request,
      });
      return true;
    });
    if (!renamed) return failed(GONE);
    revalidatePath(`/w/${workspace.slug}/batches`);
    return succeeded(label ? `Renamed ${batchId} to “${label}”.` : `Label of ${batchId} cleared.`);
  },
);

export const removeBatch = withAction(
  { permission: "batches.manage", input: removeBatchInput },
  async ({ input: { batchId }, user, workspace }): Promise<ActionResult> => {
    const db = await getDb();
    const request = await currentRequestInfo();
    const removed = await db.transaction(async (tx) => {
      if (!(await untrackBatch(tx, workspace.id, batchId))) return false;
      await recordAudit(tx, { actor: user, action: "batch.removed", target: batchId, detail: { workspace: workspace.slug }, request });
      return true;
    });
    if (!removed) return failed(GONE);
    revalidatePath(`/w/${workspace.slug}/batches`);
    return succeeded(`Removed ${batchId} from the list.`);
  },
);
