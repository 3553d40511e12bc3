import { and, eq } from "drizzle-orm";

import type { Database } from "@/lib/db";
import { mirrorSyncs } from "@/lib/db/schema";
import { claimNextSync, requestSync, runSync } from "@/lib/mirror/sync";
import type { WorkspaceGateway } from "@/lib/trillet/gateway";

/**
 * Claims and runs due syncs of a batch until it is frozen (bounded): the number of runs, 0 when
 * it already was. Throws if another batch's job is claimed or a run does not end "done".
 */
export async function syncUntilFrozen(
  db: Database,
  gateway: WorkspaceGateway,
  workspaceId: string,
  batchId: string,
  maxRuns = 40,
): Promise<number> {
  const [existing] = await db
    .select({ frozen: mirrorSyncs.frozen })
    .from(mirrorSyncs)
    .where(and(eq(mirrorSyncs.workspaceId, workspaceId), eq(mirrorSyncs.batchId, batchId)));
  if (existing?.frozen) return 0;
  await requestSync(db, workspaceId, batchId);
  for (let run = 0; run < maxRuns; run++) {
    const job = await claimNextSync(db, "runner-a");
    if (!job) {
      await new Promise((r) => setTimeout(r, 20));
      continue;
    }
    if (job.batchId !== batchId) throw new Error(`claimed ${job.batchId}, expected ${batchId}`);
    const outcome = await runSync(db, gateway, job, { limitPerMinute: 600_000, minSpacingMs: 0 });
    if (outcome.frozen) return run + 1;
    if (outcome.state !== "done" || outcome.error !== null) throw new Error(`sync of ${batchId} ended ${outcome.state}: ${outcome.error}`);
  }
  throw new Error(`${batchId} was not frozen after ${maxRuns} runs`);
}

/** Every job of the database waits an hour: runners started next see only the jobs made after. */
export async function parkAllJobs(db: Database): Promise<void> {
  await db.update(mirrorSyncs).set({ state: "done", owner: null, nextSyncAt: new Date(Date.now() + 3_600_000) });
}
