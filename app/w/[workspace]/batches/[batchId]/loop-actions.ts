"use server";

import { and, desc, eq, gt, isNull, or } from "drizzle-orm";
import { revalidatePath } from "next/cache";
import Papa from "papaparse";

import { cancelInput, previewInput, retryInput, type RetryOutcome, type RetryPreviewData } from "@/components/loop/loop-input";
import { failed, succeeded, type ActionResult } from "@/components/settings/action-result";
import { withAction } from "@/lib/auth/action";
import { currentRequestInfo } from "@/lib/auth/request-info";
import { cancelBatch } from "@/lib/batches/cancel";
import { retryCsv, retryPreview } from "@/lib/batches/retry";
import { startRetry } from "@/lib/batches/retry-start";
import { getDb } from "@/lib/db";
import { batchStarts } from "@/lib/db/schema";

// Retry failed calls as a new batch, and cancel a batch. Both start or stop real calls, so both
// need their permission (batches.start, batches.cancel: admins, or members granted it in the
// workspace); withAction answers anyone else 403, whatever the request carries.

const NOT_READY = {
  not_tracked: "This batch is not in this workspace's list. Open it first.",
  not_copied: "The batch is still being copied; retrying needs every failed call. Try again when the copy is complete.",
} as const;

export const previewRetry = withAction(
  { permission: "batches.start", input: previewInput },
  async ({ input: { batchId, reason }, workspace }): Promise<ActionResult<RetryPreviewData>> => {
    const db = await getDb();
    const result = await retryPreview(db, workspace.id, batchId, reason || null);
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
          eq(batchStarts.parentBatchId, batchId),
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
  },
);

export const startRetryBatch = withAction(
  { permission: "batches.start", input: retryInput },
  async ({ input, user, workspace }): Promise<ActionResult<RetryOutcome>> => {
    const { batchId, reason, agentId, when, scheduledAt, callbacks, maxAttempts, intervalMinutes, idempotencyKey } = input;
    const result = await startRetry(
      await getDb(),
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
  },
);

export const cancelRunningBatch = withAction(
  { permission: "batches.cancel", input: cancelInput },
  async ({ input: { batchId, waiting }, user, workspace }): Promise<ActionResult> => {
    const result = await cancelBatch(await getDb(), workspace, user, batchId, waiting ?? null, await currentRequestInfo());
    revalidatePath(`/w/${workspace.slug}/batches/${encodeURIComponent(batchId)}`);
    if (result.state === "cancelled") return succeeded(`Cancelled ${batchId}: its waiting calls will not be made.`);
    return failed(result.message);
  },
);
