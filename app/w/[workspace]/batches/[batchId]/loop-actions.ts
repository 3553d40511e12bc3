"use server";

import { and, desc, eq, gt, isNull, or } from "drizzle-orm";
import { revalidatePath } from "next/cache";
import Papa from "papaparse";
import { forbidden } from "next/navigation";
import { cancelInput, retryFields, retryInput, type RetryOutcome, type RetryPreviewData } from "@/components/loop/loop-input";
import { failed, firstIssue, succeeded, type ActionResult } from "@/components/settings/action-result";
import { requireWorkspace } from "@/lib/auth/guards";
import { currentRequestInfo } from "@/lib/auth/request-info";
import { batchIdSchema } from "@/lib/batches/batch-id";
import { cancelBatch } from "@/lib/batches/cancel";
import { mayInWorkspace, type LoopPermission } from "@/lib/batches/loop-access";
import { retryCsv, retryPreview } from "@/lib/batches/retry";
import { startRetry } from "@/lib/batches/retry-start";
import { getDb } from "@/lib/db";
import { batchStarts } from "@/lib/db/schema";

// Retry failed calls as a new batch, and cancel a batch. Both start or stop real calls, so both
// need their permission (a member without it gets 403 even with a crafted request).

const slugOf = (formData: FormData) => {
  const value = formData.get("workspace");
  return typeof value === "string" ? value : "";
};

async function allowed(slug: string, permission: LoopPermission) {
  const { user, workspace } = await requireWorkspace(slug);
  const db = await getDb();
  if (!(await mayInWorkspace(db, user, workspace.id, permission))) forbidden();
  return { user, workspace, db };
}

const NOT_READY = {
  not_tracked: "This batch is not in this workspace's list. Open it first.",
  not_copied: "The batch is still being copied; retrying needs every failed call. Try again when the copy is complete.",
} as const;

export async function previewRetry(slug: string, batchId: string, reason: string): Promise<ActionResult<RetryPreviewData>> {
  const { workspace, db } = await allowed(slug, "batches.start");
  const id = batchIdSchema.safeParse(batchId);
  if (!id.success) return failed("Reload the page and try again.");
  const result = await retryPreview(db, workspace.id, id.data, reason || null);
  if (!result.ok) return failed(NOT_READY[result.reason]);
  const { rows, keys, excluded, reasonLabel } = result.preview;
  // Shown as the file's own records, so what is previewed is exactly what is sent.
  const [header = [], ...sample] = Papa.parse<string[]>(retryCsv(rows.slice(0, 5), keys), { header: false, skipEmptyLines: true }).data;
  const [recent] = await db
    .select({ childBatchId: batchStarts.childBatchId, state: batchStarts.state, at: batchStarts.createdAt })
    .from(batchStarts)
    .where(
      and(
        eq(batchStarts.workspaceId, workspace.id),
        eq(batchStarts.parentBatchId, id.data),
        reason ? eq(batchStarts.reasonKey, reason) : isNull(batchStarts.reasonKey),
        or(eq(batchStarts.state, "created"), eq(batchStarts.state, "unknown"), eq(batchStarts.state, "sending")),
        gt(batchStarts.createdAt, new Date(Date.now() - 24 * 3_600_000)),
      ),
    )
    .orderBy(desc(batchStarts.createdAt))
    .limit(1);
  return succeeded("", {
    count: rows.length,
    excluded,
    reasonLabel,
    columns: header,
    sample,
    recent: recent ? { childBatchId: recent.childBatchId, state: recent.state, at: recent.at.toISOString() } : null,
  });
}

export async function startRetryBatch(_previous: ActionResult<RetryOutcome>, formData: FormData): Promise<ActionResult<RetryOutcome>> {
  const { user, workspace, db } = await allowed(slugOf(formData), "batches.start");
  const input = retryInput.safeParse(retryFields(formData));
  if (!input.success) return failed(firstIssue(input.error));
  const { batchId, reason, agentId, when, scheduledAt, callbacks, maxAttempts, intervalMinutes, idempotencyKey } = input.data;
  const result = await startRetry(
    db,
    workspace,
    user,
    {
      parentBatchId: batchId,
      reasonKey: reason || null,
      agentId,
      scheduledAt: when === "later" ? (scheduledAt ?? null) : null,
      smartCallbackConfig: callbacks ? { enabled: true, maxAttempts, intervalMinutes } : null,
      idempotencyKey,
    },
    await currentRequestInfo(),
  );
  const base = `/w/${workspace.slug}/batches`;
  revalidatePath(`${base}/${encodeURIComponent(batchId)}`);
  revalidatePath(base);
  switch (result.state) {
    case "created":
      return succeeded(`Started a retry of ${result.rows} ${result.rows === 1 ? "call" : "calls"}.`, {
        state: "created",
        childBatchId: result.childBatchId,
        href: `${base}/${encodeURIComponent(result.childBatchId)}`,
        rows: result.rows,
        excluded: result.excluded,
      });
    case "unknown":
      return succeeded("Trillet did not confirm the new batch.", { state: "unknown", message: result.message });
    default:
      return failed(result.message);
  }
}

export async function cancelRunningBatch(_previous: ActionResult, formData: FormData): Promise<ActionResult> {
  const { user, workspace, db } = await allowed(slugOf(formData), "batches.cancel");
  const input = cancelInput.safeParse({ batchId: formData.get("batchId") ?? undefined, waiting: formData.get("waiting") ?? undefined });
  if (!input.success) return failed(firstIssue(input.error));
  const result = await cancelBatch(db, workspace, user, input.data.batchId, input.data.waiting ?? null, await currentRequestInfo());
  revalidatePath(`/w/${workspace.slug}/batches/${encodeURIComponent(input.data.batchId)}`);
  if (result.state === "cancelled") return succeeded(`Cancelled ${input.data.batchId}: its waiting calls will not be made.`);
  return failed(result.message);
}
