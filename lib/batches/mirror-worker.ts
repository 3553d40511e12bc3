import "server-only";
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { getDb } from "../db";
import { env } from "../env";
import { appExportCache } from "../reports/cache";
import { warmExportCache } from "../reports/export";
import { findWorkspaceById } from "../workspaces";
import { claimNextSync, runSync } from "./mirror-sync";

/**
 * The mirror's runner in this instance: claims due syncs one at a time (every instance runs one;
 * the claim keeps each batch to a single runner) until stopped. Idle, it looks again every pollMs.
 */
export function startMirrorWorker(pollMs = 2_000): { stop(): Promise<void> } {
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const controller = new AbortController();
  const done = (async () => {
    while (!controller.signal.aborted) {
      let worked = false;
      try {
        const db = await getDb();
        const job = await claimNextSync(db, owner);
        if (job) {
          worked = true;
          const workspace = await findWorkspaceById(db, job.workspaceId);
          if (workspace) {
            const outcome = await runSync(db, workspace.gateway, job, { limitPerMinute: env.TRILLET_RATE_LIMIT_PER_MINUTE, signal: controller.signal });
            // Nearly everyone downloads a finished batch's report: have it ready as a file.
            const cache = appExportCache();
            if (outcome.frozen && cache) {
              await warmExportCache(db, job.workspaceId, job.batchId, cache).catch((error: unknown) =>
                console.error(`[mirror] report of ${job.batchId} not kept`, error instanceof Error ? error.message : error),
              );
            }
          }
        }
      } catch (error) {
        if (controller.signal.aborted) break;
        console.error("[mirror] runner error", error instanceof Error ? error.message : error);
      }
      if (!worked) await new Promise((r) => setTimeout(r, pollMs).unref());
    }
  })();
  return {
    async stop() {
      controller.abort(new Error("mirror worker stopped"));
      await done.catch(() => {});
    },
  };
}
