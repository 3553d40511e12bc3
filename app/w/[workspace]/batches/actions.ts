"use server";

import { revalidatePath } from "next/cache";
import { batchActionFields, removeBatchInput, renameBatchInput } from "@/components/batches-list/batch-actions-input";
import { failed, firstIssue, succeeded, type ActionResult } from "@/components/settings/action-result";
import { requireWorkspace } from "@/lib/auth/guards";
import { renameTrackedBatch, untrackBatch } from "@/lib/batches/tracked";
import { recordAudit } from "@/lib/audit";
import { currentRequestInfo } from "@/lib/auth/request-info";
import { getDb } from "@/lib/db";

const GONE = "That batch is no longer in the list. Reload the page.";

const slugOf = (formData: FormData) => {
  const value = formData.get("workspace");
  return typeof value === "string" ? value : "";
};

export async function renameBatch(_previous: ActionResult, formData: FormData): Promise<ActionResult> {
  const { user, workspace } = await requireWorkspace(slugOf(formData));
  const input = renameBatchInput.safeParse(batchActionFields(formData));
  if (!input.success) return failed(firstIssue(input.error));
  const { batchId, label } = input.data;
  const db = await getDb();
  if (!(await renameTrackedBatch(db, workspace.id, batchId, label))) return failed(GONE);
  await recordAudit(db, {
    actor: user,
    action: "batch.renamed",
    target: batchId,
    detail: { workspace: workspace.slug, label },
    request: await currentRequestInfo(),
  });
  revalidatePath(`/w/${workspace.slug}/batches`);
  return succeeded(label ? `Renamed ${batchId} to “${label}”.` : `Label of ${batchId} cleared.`);
}

export async function removeBatch(_previous: ActionResult, formData: FormData): Promise<ActionResult> {
  const { user, workspace } = await requireWorkspace(slugOf(formData));
  const input = removeBatchInput.safeParse(batchActionFields(formData));
  if (!input.success) return failed(firstIssue(input.error));
  const { batchId } = input.data;
  const db = await getDb();
  if (!(await untrackBatch(db, workspace.id, batchId))) return failed(GONE);
  await recordAudit(db, {
    actor: user,
    action: "batch.removed",
    target: batchId,
    detail: { workspace: workspace.slug },
    request: await currentRequestInfo(),
  });
  revalidatePath(`/w/${workspace.slug}/batches`);
  return succeeded(`Removed ${batchId} from the list.`);
}
