import "server-only";

import { and, count, countDistinct, desc, eq, inArray, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";

import type { Database } from "../db";
import { mirrorCalls } from "../db/schema";
import { NO_REASON } from "../mirror/queries";
import { lineageBatches, lineageOf } from "./retry";

// A line of attempts: the first batch and the retry batches started from it (and from them). The
// funnel says, per attempt, how many calls it made and reached, how many of the first batch's
// numbers have been reached so far, and which failure reasons recovered when retried.

export interface AttemptStep {
  batchId: string;
  label: string;
  attempt: number;
  parentBatchId: string | null;
  /** Calls in the batch (from the copy, or Trillet's last counts before it). */
  made: number;
  /** Completed calls. */
  reached: number;
  /** Of the first batch's numbers, those reached by this attempt or an earlier one, 0..1. */
  cumulativeRate: number | null;
  cancelled: boolean;
}

export interface RecoveredReason {
  key: string;
  label: string;
  /** Calls of this reason that a later attempt called again. */
  retried: number;
  /** Of those, the ones that completed. */
  recovered: number;
}

export interface Funnel {
  rootBatchId: string;
  /** The batch the funnel was asked for. */
  attempt: number;
  steps: AttemptStep[];
  recovered: RecoveredReason[];
}

/** The funnel of the line a batch belongs to; null when it is not tracked or was never retried. */
export async function lineageFunnel(db: Database, workspaceId: string, batchId: string): Promise<Funnel | null> {
  const lineage = await lineageOf(db, workspaceId, batchId);
  if (!lineage) return null;
  const batches = await lineageBatches(db, workspaceId, lineage.rootBatchId);
  // A batch nobody retried has no line to show: no scan of its copy on every page view.
  if (batches.length < 2) return null;
  const ids = batches.map((b) => b.batchId);
  const counts = await db
    .select({
      batchId: mirrorCalls.batchId,
      made: count(),
      reached: sql<number>`count(*) filter (where ${mirrorCalls.status} = 'completed')`.mapWith(Number),
    })
    .from(mirrorCalls)
    .where(and(eq(mirrorCalls.workspaceId, workspaceId), inArray(mirrorCalls.batchId, ids)))
    .groupBy(mirrorCalls.batchId);
  const byBatch = new Map(counts.map((c) => [c.batchId, c]));
  const [numbers] = await db
    .select({ n: countDistinct(mirrorCalls.phoneNumber) })
    .from(mirrorCalls)
    .where(and(eq(mirrorCalls.workspaceId, workspaceId), eq(mirrorCalls.batchId, lineage.rootBatchId)));
  const rootNumbers = numbers?.n ?? 0;

  const steps: AttemptStep[] = [];
  for (const [i, batch] of batches.entries()) {
    const upTo = batches.slice(0, i + 1).map((b) => b.batchId);
    const [reachedSoFar] = await db
      .select({ n: countDistinct(mirrorCalls.phoneNumber) })
      .from(mirrorCalls)
      .where(and(eq(mirrorCalls.workspaceId, workspaceId), inArray(mirrorCalls.batchId, upTo), eq(mirrorCalls.status, "completed")));
    const copied = byBatch.get(batch.batchId);
    steps.push({
      batchId: batch.batchId,
      label: batch.label,
      attempt: batch.attempt,
      parentBatchId: batch.parentBatchId,
      made: copied?.made ?? batch.lastSummary?.total ?? 0,
      reached: copied?.reached ?? batch.lastSummary?.completed ?? 0,
      cumulativeRate: rootNumbers > 0 ? (reachedSoFar?.n ?? 0) / rootNumbers : null,
      cancelled: batch.cancelledAt !== null,
    });
  }

  // Each retry's calls matched to the failed calls of the batch it retried, by phone number.
  const parent = alias(mirrorCalls, "parent");
  const reasonOf = sql<string>`coalesce(${parent.reasonKey}, ${sql.raw(`'${NO_REASON}'`)})`;
  const recovered = new Map<string, RecoveredReason>();
  for (const child of batches) {
    if (!child.parentBatchId) continue;
    const rows = await db
      .select({
        key: reasonOf,
        label: sql<string | null>`mode() within group (order by ${parent.error})`,
        retried: count(),
        recovered: sql<number>`count(*) filter (where ${mirrorCalls.status} = 'completed')`.mapWith(Number),
      })
      .from(mirrorCalls)
      .innerJoin(
        parent,
        and(
          eq(parent.workspaceId, mirrorCalls.workspaceId),
          eq(parent.batchId, child.parentBatchId),
          eq(parent.phoneNumber, mirrorCalls.phoneNumber),
          eq(parent.status, "failed"),
        ),
      )
      .where(and(eq(mirrorCalls.workspaceId, workspaceId), eq(mirrorCalls.batchId, child.batchId)))
      .groupBy(reasonOf)
      .orderBy(desc(count()));
    for (const row of rows) {
      const entry = recovered.get(row.key) ?? { key: row.key, label: row.label?.trim() || NO_REASON, retried: 0, recovered: 0 };
      entry.retried += row.retried;
      entry.recovered += row.recovered;
      recovered.set(row.key, entry);
    }
  }
  return {
    rootBatchId: lineage.rootBatchId,
    attempt: lineage.attempt,
    steps,
    recovered: [...recovered.values()].sort((a, b) => b.recovered - a.recovered || b.retried - a.retried),
  };
}
