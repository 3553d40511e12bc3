import "server-only";

import { and, desc, eq, sql } from "drizzle-orm";

import type { Database } from "../db";
import { trackedBatches } from "../db/schema";
import { isFinished, type BatchSummary } from "../trillet/schemas";

// Trillet cannot list a workspace's batches, so Batchboard remembers the ones its members opened.
// A batch is tracked only after Trillet answered for it: an unknown id adds nothing.

export async function recordBatchRead(
  db: Database,
  workspaceId: string,
  batchId: string,
  summary: BatchSummary,
  readAt: Date,
  userId: string | null,
) {
  const finishedAt = isFinished(summary) ? readAt : null;
  await db
    .insert(trackedBatches)
    .values({ workspaceId, batchId, addedBy: userId, lastSummary: summary, summaryReadAt: readAt, finishedAt })
    .onConflictDoUpdate({
      target: [trackedBatches.workspaceId, trackedBatches.batchId],
      set: {
        lastSummary: summary,
        summaryReadAt: readAt,
        // The first time it was seen finished; a finished batch never runs again.
        finishedAt: sql`coalesce(${trackedBatches.finishedAt}, ${finishedAt})`,
      },
      // An older read (a slow request finishing late) never overwrites a newer one.
      setWhere: sql`${trackedBatches.summaryReadAt} is null or ${trackedBatches.summaryReadAt} <= ${readAt}`,
    });
}

export async function listTrackedBatches(db: Database, workspaceId: string) {
  return db.select().from(trackedBatches).where(eq(trackedBatches.workspaceId, workspaceId)).orderBy(desc(trackedBatches.addedAt));
}

export async function findTrackedBatch(db: Database, workspaceId: string, batchId: string) {
  const [row] = await db
    .select()
    .from(trackedBatches)
    .where(and(eq(trackedBatches.workspaceId, workspaceId), eq(trackedBatches.batchId, batchId)));
  return row ?? null;
}

export async function renameTrackedBatch(db: Database, workspaceId: string, batchId: string, label: string) {
  const [row] = await db
    .update(trackedBatches)
    .set({ label: label.trim().slice(0, 120) })
    .where(and(eq(trackedBatches.workspaceId, workspaceId), eq(trackedBatches.batchId, batchId)))
    .returning({ batchId: trackedBatches.batchId });
  return Boolean(row);
}

export async function untrackBatch(db: Database, workspaceId: string, batchId: string) {
  const [row] = await db
    .delete(trackedBatches)
    .where(and(eq(trackedBatches.workspaceId, workspaceId), eq(trackedBatches.batchId, batchId)))
    .returning({ batchId: trackedBatches.batchId });
  return Boolean(row);
}
