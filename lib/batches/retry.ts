import "server-only";

import { and, asc, eq, gt, inArray, or, sql } from "drizzle-orm";
import Papa from "papaparse";

import type { Database } from "../db";
import { mirrorCalls, trackedBatches } from "../db/schema";
import { mirrorMetadataKeys, NO_REASON } from "../mirror/queries";
import { getMirrorStatus } from "../mirror/status";
import { flattenValue } from "../reports/metadata";

// A retry batch is the failed calls of a batch (all of them, or one reason's), in Trillet's
// start-batch layout, with every value exactly as Trillet listed it: this file goes to Trillet,
// not to a spreadsheet, so no formula guard touches it. Numbers that already answered in a later
// attempt of the same line are left out.

export interface RetryRow {
  phone: string;
  metadata: Record<string, string>;
}

export interface Lineage {
  /** The first batch of the line. */
  rootBatchId: string;
  /** This batch's attempt (1 for the first). */
  attempt: number;
}

export interface RetryPreview {
  /** The rows the new batch would start with, in the parent's row order. */
  rows: RetryRow[];
  /** Metadata columns in the parent's first-seen order. */
  keys: string[];
  /** Failed calls left out because their number completed in a later attempt of the line. */
  excluded: number;
  /** The reason's most common wording, or null for every failed call. */
  reasonLabel: string | null;
  lineage: Lineage;
}

export type RetryPreviewResult = { ok: true; preview: RetryPreview } | { ok: false; reason: "not_tracked" | "not_copied" };

export async function lineageOf(db: Database, workspaceId: string, batchId: string): Promise<Lineage | null> {
  const [row] = await db
    .select({ root: trackedBatches.rootBatchId, attempt: trackedBatches.attempt })
    .from(trackedBatches)
    .where(and(eq(trackedBatches.workspaceId, workspaceId), eq(trackedBatches.batchId, batchId)));
  return row ? { rootBatchId: row.root ?? batchId, attempt: row.attempt } : null;
}

/** Every batch of a line, first attempt first. */
export async function lineageBatches(db: Database, workspaceId: string, rootBatchId: string) {
  return db
    .select({
      batchId: trackedBatches.batchId,
      label: trackedBatches.label,
      parentBatchId: trackedBatches.parentBatchId,
      attempt: trackedBatches.attempt,
      lastSummary: trackedBatches.lastSummary,
      cancelledAt: trackedBatches.cancelledAt,
    })
    .from(trackedBatches)
    .where(
      and(
        eq(trackedBatches.workspaceId, workspaceId),
        or(eq(trackedBatches.batchId, rootBatchId), eq(trackedBatches.rootBatchId, rootBatchId)),
      ),
    )
    .orderBy(asc(trackedBatches.attempt), asc(trackedBatches.addedAt));
}

/** The next attempt number of a line: one more than its latest. */
export async function nextAttempt(db: Database, workspaceId: string, rootBatchId: string): Promise<number> {
  const batches = await lineageBatches(db, workspaceId, rootBatchId);
  return Math.max(1, ...batches.map((b) => b.attempt)) + 1;
}

function reasonFilter(reasonKey: string | null) {
  if (reasonKey === null) return undefined;
  if (reasonKey === NO_REASON) return sql`(${mirrorCalls.reasonKey} is null or ${mirrorCalls.reasonKey} = ${NO_REASON})`;
  return eq(mirrorCalls.reasonKey, reasonKey);
}

/**
 * What "Retry N calls" would send. Needs the parent's copy to be complete: a partial copy would
 * start a batch with calls missing, and nothing would say so.
 */
export async function retryPreview(
  db: Database,
  workspaceId: string,
  parentBatchId: string,
  reasonKey: string | null,
): Promise<RetryPreviewResult> {
  const lineage = await lineageOf(db, workspaceId, parentBatchId);
  if (!lineage) return { ok: false, reason: "not_tracked" };
  const status = await getMirrorStatus(db, workspaceId, parentBatchId);
  if (!status || status.copiedAt === null) return { ok: false, reason: "not_copied" };

  const later = await db
    .select({ batchId: trackedBatches.batchId })
    .from(trackedBatches)
    .where(
      and(
        eq(trackedBatches.workspaceId, workspaceId),
        eq(trackedBatches.rootBatchId, lineage.rootBatchId),
        gt(trackedBatches.attempt, lineage.attempt),
      ),
    );
  const answered = new Set<string>();
  if (later.length > 0) {
    const rows = await db
      .selectDistinct({ phone: mirrorCalls.phoneNumber })
      .from(mirrorCalls)
      .where(
        and(
          eq(mirrorCalls.workspaceId, workspaceId),
          inArray(
            mirrorCalls.batchId,
            later.map((b) => b.batchId),
          ),
          eq(mirrorCalls.status, "completed"),
        ),
      );
    for (const row of rows) answered.add(row.phone);
  }

  const failed = await db
    .select({ phone: mirrorCalls.phoneNumber, metadata: mirrorCalls.metadata, error: mirrorCalls.error })
    .from(mirrorCalls)
    .where(
      and(
        eq(mirrorCalls.workspaceId, workspaceId),
        eq(mirrorCalls.batchId, parentBatchId),
        eq(mirrorCalls.status, "failed"),
        reasonFilter(reasonKey),
      ),
    )
    .orderBy(asc(mirrorCalls.rowNo));
  const keys = await mirrorMetadataKeys(db, workspaceId, parentBatchId);
  const rows: RetryRow[] = [];
  let excluded = 0;
  const wordings = new Map<string, number>();
  for (const call of failed) {
    if (answered.has(call.phone)) {
      excluded++;
      continue;
    }
    const metadata: Record<string, string> = {};
    for (const [key, value] of Object.entries(call.metadata)) metadata[key] = flattenValue(value);
    rows.push({ phone: call.phone, metadata });
    const wording = call.error?.trim() || NO_REASON;
    wordings.set(wording, (wordings.get(wording) ?? 0) + 1);
  }
  const reasonLabel = reasonKey === null ? null : ([...wordings.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? reasonKey);
  return { ok: true, preview: { rows, keys, excluded, reasonLabel, lineage } };
}

/**
 * Trillet's start-batch CSV: phone_number, then the metadata columns. A metadata key that is
 * itself "phone_number" is written as "metadata.phone_number" so the header stays unambiguous.
 */
export function retryCsv(rows: readonly RetryRow[], keys: readonly string[]): string {
  const header = ["phone_number", ...keys.map((key) => (key === "phone_number" ? "metadata.phone_number" : key))];
  const records = rows.map((row) => [row.phone, ...keys.map((key) => row.metadata[key] ?? "")]);
  return `${Papa.unparse([header, ...records], { newline: "\r\n" })}\r\n`;
}
