import "server-only";

import { and, eq, sql } from "drizzle-orm";

import { recordAudit, type Actor, type RequestInfo } from "../audit";
import type { Database } from "../db";
import { batchStarts, trackedBatches, type BatchStartState } from "../db/schema";
import { logger } from "../log";
import { requestSync } from "../mirror/sync";
import { enqueueRetryStarted } from "../notifications/events";
import { isTrilletError } from "../trillet/errors";
import type { Workspace } from "../workspaces";
import { nextAttempt, retryCsv, retryPreview } from "./retry";

// Starting a retry batch, at most once per request. The row for the request (its idempotency key)
// is written before anything is sent, so a double click, a resubmitted form or a second instance
// finds the first request and its outcome instead of sending again. Nothing here retries a POST:
// an answer that did not come is recorded as "unknown", with what to check.

export interface RetryStartInput {
  parentBatchId: string;
  /** A reason key from the drilldown, or null for every failed call. */
  reasonKey: string | null;
  agentId: string;
  /** Epoch ms; null starts now. */
  scheduledAt: number | null;
  smartCallbackConfig: Record<string, unknown> | null;
  /** From the dialog: one per confirmation, so the same confirmation never starts two batches. */
  idempotencyKey: string;
}

export type RetryStartResult =
  | { state: "created"; childBatchId: string; rows: number; excluded: number }
  | { state: "failed"; message: string }
  | { state: "unknown"; message: string }
  | { state: "refused"; message: string };

/** A request still "sending" this long after it began will not be answered any more. */
const SENDING_GIVES_UP_MS = 120_000;
const WAIT_FOR_FIRST_MS = 60_000;

export const UNKNOWN_OUTCOME_ADVICE =
  "Trillet did not confirm whether the batch was started. Check Trillet's batch list for a new batch before starting it again.";

type StartRow = typeof batchStarts.$inferSelect;

function resultOf(row: StartRow): RetryStartResult | null {
  switch (row.state as BatchStartState) {
    case "created":
      return { state: "created", childBatchId: row.childBatchId ?? "", rows: row.rowCount, excluded: row.excludedCount };
    case "failed":
      return { state: "failed", message: row.error ?? "Trillet refused the batch." };
    case "unknown":
      return { state: "unknown", message: UNKNOWN_OUTCOME_ADVICE };
    default:
      return null;
  }
}

export function retryLabel(parentLabel: string, parentBatchId: string, reasonLabel: string | null): string {
  const parent = parentLabel.trim() || parentBatchId;
  return `Retry of ${parent} (${reasonLabel ?? "all failed calls"})`.slice(0, 120);
}

export async function startRetry(
  db: Database,
  workspace: Workspace,
  actor: Actor & { id: string },
  input: RetryStartInput,
  request: RequestInfo | null = null,
): Promise<RetryStartResult> {
  const existing = await findStart(db, workspace.id, input.idempotencyKey);
  if (existing) return settle(db, existing, actor, request);

  const preview = await retryPreview(db, workspace.id, input.parentBatchId, input.reasonKey);
  if (!preview.ok) {
    return {
      state: "refused",
      message:
        preview.reason === "not_copied"
          ? "The batch is still being copied; retrying needs every failed call. Try again when the copy is complete."
          : "This batch is not tracked in this workspace.",
    };
  }
  const { rows, keys, excluded, reasonLabel, lineage } = preview.preview;
  if (rows.length === 0) {
    return {
      state: "refused",
      message: excluded > 0 ? "Every one of these numbers already answered in a later attempt." : "There are no failed calls to retry.",
    };
  }

  const [claimed] = await db
    .insert(batchStarts)
    .values({
      workspaceId: workspace.id,
      idempotencyKey: input.idempotencyKey,
      parentBatchId: input.parentBatchId,
      reasonKey: input.reasonKey,
      reasonLabel,
      agentId: input.agentId,
      scheduledAt: input.scheduledAt === null ? null : new Date(input.scheduledAt),
      smartCallbackConfig: input.smartCallbackConfig,
      rowCount: rows.length,
      excludedCount: excluded,
      createdBy: actor.id,
    })
    .onConflictDoNothing()
    .returning();
  // Another request with this key got there first (a double click): its outcome is ours.
  if (!claimed) return settle(db, (await findStart(db, workspace.id, input.idempotencyKey))!, actor, request);

  const detail = {
    parent: input.parentBatchId,
    reason: reasonLabel ?? "all failed calls",
    rows: rows.length,
    excluded,
    agent: input.agentId,
  };
  let childBatchId: string;
  try {
    const started = await workspace.gateway.startBatch({
      csv: retryCsv(rows, keys),
      agentId: input.agentId,
      scheduledAt: input.scheduledAt ?? undefined,
      smartCallbackConfig: input.smartCallbackConfig ?? undefined,
      filename: `retry-${input.parentBatchId}.csv`,
    });
    childBatchId = started.batchId;
  } catch (error) {
    const unknown = isTrilletError(error) && error.kind === "outcome_unknown";
    const message = isTrilletError(error) ? error.message : "The batch could not be started.";
    await db.transaction(async (tx) => {
      await tx
        .update(batchStarts)
        .set({ state: unknown ? "unknown" : "failed", error: message, updatedAt: new Date() })
        .where(eq(batchStarts.id, claimed.id));
      await recordAudit(tx, {
        actor,
        action: unknown ? "batch.start_unknown" : "batch.start_failed",
        target: input.parentBatchId,
        detail: { ...detail, error: message },
        request,
      });
    });
    if (!isTrilletError(error)) throw error;
    return unknown ? { state: "unknown", message: UNKNOWN_OUTCOME_ADVICE } : { state: "failed", message };
  }

  const [parent] = await db
    .select({ label: trackedBatches.label })
    .from(trackedBatches)
    .where(and(eq(trackedBatches.workspaceId, workspace.id), eq(trackedBatches.batchId, input.parentBatchId)));
  const attempt = await nextAttempt(db, workspace.id, lineage.rootBatchId);
  await db.transaction(async (tx) => {
    await tx.update(batchStarts).set({ state: "created", childBatchId, updatedAt: new Date() }).where(eq(batchStarts.id, claimed.id));
    // Tracked at once, so the new batch is in the list and its page opens without a first read.
    await tx
      .insert(trackedBatches)
      .values({
        workspaceId: workspace.id,
        batchId: childBatchId,
        label: retryLabel(parent?.label ?? "", input.parentBatchId, reasonLabel),
        addedBy: actor.id,
        parentBatchId: input.parentBatchId,
        rootBatchId: lineage.rootBatchId,
        attempt,
      })
      .onConflictDoUpdate({
        target: [trackedBatches.workspaceId, trackedBatches.batchId],
        set: { parentBatchId: input.parentBatchId, rootBatchId: lineage.rootBatchId, attempt },
      });
    await recordAudit(tx, { actor, action: "batch.started", target: childBatchId, detail: { ...detail, attempt }, request });
  });
  await requestSync(db, workspace.id, childBatchId);
  // The team hears of it (channels that take batch.retry_started); a failure here never undoes the start.
  await enqueueRetryStarted(db, {
    workspaceId: workspace.id,
    batchId: childBatchId,
    parentBatchId: input.parentBatchId,
    calls: rows.length,
    reason: reasonLabel,
    attempt,
  }).catch((error: unknown) =>
    logger().warn(
      { event: "notify.enqueue_failed", workspace: workspace.id, batch: childBatchId, err: error },
      "Could not queue the retry-started notification",
    ),
  );
  return { state: "created", childBatchId, rows: rows.length, excluded };
}

async function findStart(db: Database, workspaceId: string, key: string): Promise<StartRow | null> {
  const [row] = await db
    .select()
    .from(batchStarts)
    .where(and(eq(batchStarts.workspaceId, workspaceId), eq(batchStarts.idempotencyKey, key)));
  return row ?? null;
}

/**
 * The outcome of a request someone else sent with the same key: waits while it is being sent
 * (bounded), and turns a request that has been "sending" for too long (its instance stopped
 * mid-request) into "unknown", audited once.
 */
async function settle(db: Database, row: StartRow, actor: Actor, request: RequestInfo | null): Promise<RetryStartResult> {
  const deadline = Date.now() + WAIT_FOR_FIRST_MS;
  let current = row;
  for (;;) {
    const result = resultOf(current);
    if (result) return result;
    if (Date.now() - current.createdAt.getTime() > SENDING_GIVES_UP_MS) {
      // The state change and its audit entry together: "unknown" is recorded once, and audited.
      await db.transaction(async (tx) => {
        const [given] = await tx
          .update(batchStarts)
          .set({ state: "unknown", error: "No answer was recorded for this request.", updatedAt: new Date() })
          .where(and(eq(batchStarts.id, current.id), eq(batchStarts.state, "sending")))
          .returning();
        if (given) {
          await recordAudit(tx, {
            actor,
            action: "batch.start_unknown",
            target: given.parentBatchId,
            detail: { parent: given.parentBatchId, rows: given.rowCount, agent: given.agentId, error: "no answer recorded" },
            request,
          });
        }
      });
      return { state: "unknown", message: UNKNOWN_OUTCOME_ADVICE };
    }
    if (Date.now() > deadline) return { state: "unknown", message: UNKNOWN_OUTCOME_ADVICE };
    await new Promise((resolve) => setTimeout(resolve, 250));
    current = (await findStart(db, current.workspaceId, current.idempotencyKey)) ?? current;
  }
}

/** The starts made from a batch, newest first, for its page (pending and unknown ones included). */
export async function startsFrom(db: Database, workspaceId: string, parentBatchId: string) {
  return db
    .select()
    .from(batchStarts)
    .where(and(eq(batchStarts.workspaceId, workspaceId), eq(batchStarts.parentBatchId, parentBatchId)))
    .orderBy(sql`${batchStarts.createdAt} desc`);
}
