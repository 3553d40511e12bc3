import "server-only";

import { purgeExpiredAudit } from "./audit";
import { deleteExpiredSessions } from "./auth/sessions";
import { issueSetupToken } from "./auth/setup";
import { purgeExpiredThrottle } from "./auth/throttle";
import { getDb, type Database } from "./db";
import { seedDemo } from "./demo-seed";
import { assertServingSettings, env } from "./env";
import { installShutdownHandlers, setMirrorWorker, setNotificationWorker } from "./lifecycle";
import { logger } from "./log";
import type { SyncJob } from "./mirror/sync";
import { startMirrorWorker } from "./mirror/worker";
import { startNotificationWorker } from "./notifications/worker";
import { appExportCache } from "./reports/cache";
import { warmExportCache } from "./reports/export";
import { ensureWorkspaceFromSettings, pruneRemovedWorkspaceExports } from "./workspaces";

/** Runs once per server process (instrumentation.ts): schema, configured workspace, first-run setup. */
export async function startUp(log: (line: string) => void = (line) => logger().info({ event: "startup" }, line)) {
  // Production refuses to start without AUTH_SECRET, ENCRYPTION_KEY and PUBLIC_URL (named).
  assertServingSettings(env);
  const db = await getDb();
  // Expired sessions are refused anyway; clearing them at start keeps the table from growing.
  await deleteExpiredSessions(db);
  // Throttle rows of idle keys count as fresh anyway: purge them now and every hour.
  startThrottlePurge(db);
  if (env.TRILLET_API_KEY && env.TRILLET_WORKSPACE_ID) {
    await ensureWorkspaceFromSettings(db, {
      slug: env.WORKSPACE_SLUG,
      name: env.WORKSPACE_NAME,
      baseUrl: env.TRILLET_BASE_URL,
      apiKey: env.TRILLET_API_KEY,
      trilletWorkspaceId: env.TRILLET_WORKSPACE_ID,
    });
    log(`Workspace "${env.WORKSPACE_SLUG}" configured from TRILLET_API_KEY / TRILLET_WORKSPACE_ID.`);
  }
  if (env.DEMO_SEED) {
    for (const line of await seedDemo(db)) log(line);
  }
  // Copies opened batches into the database in the background (one runner per instance).
  setMirrorWorker(startMirrorWorker(warmFrozenReport));
  // Delivers notifications from the outbox (one worker per instance; stopped on shutdown, which
  // hands its claims back).
  setNotificationWorker(startNotificationWorker());
  const setupToken = await issueSetupToken(db);
  if (setupToken) {
    log(`No user exists yet. Create the first admin at /setup?token=${setupToken} (or run npm run user:create).`);
  }
  // SIGTERM/SIGINT: drain (readiness 503, claims handed back, exports failed), then exit in bound.
  installShutdownHandlers({ timeoutMs: env.SHUTDOWN_TIMEOUT_MS, log });
}

/** Nearly everyone downloads a finished batch's report: have it ready as a file once it freezes. */
async function warmFrozenReport(job: SyncJob, db: Database): Promise<void> {
  const cache = appExportCache();
  if (!cache) return;
  await warmExportCache(db, job.workspaceId, job.batchId, cache).catch((error: unknown) =>
    logger().error(
      { event: "export.cache_failed", workspace: job.workspaceId, batch: job.batchId, err: error },
      "Mirror: the frozen batch's report was not kept",
    ),
  );
}

const PURGE_EVERY_MS = 60 * 60 * 1000;
const purgeHolder = globalThis as typeof globalThis & { __batchboardThrottlePurge?: NodeJS.Timeout };

function startThrottlePurge(db: Database) {
  const purge = async () => {
    await purgeExpiredThrottle(db).catch((error: unknown) => {
      console.warn(`[auth] purging expired throttle rows failed: ${error instanceof Error ? error.message : "error"}`);
    });
    // Audit entries older than the retention an admin chose (Settings, Audit log); none by default.
    await purgeExpiredAudit(db)
      .then((n) => {
        if (n > 0) logger().info({ event: "audit.purged", entries: n }, "Purged audit entries past their retention");
      })
      .catch((error: unknown) => logger().warn({ event: "audit.purge_failed", err: error }, "Purging expired audit entries failed"));
    // Kept reports of workspaces removed on another instance (the removing one deletes its own at once).
    await pruneRemovedWorkspaceExports(db).catch((error: unknown) =>
      logger().warn({ event: "export.cache_failed", err: error }, "Export cache: removing files of removed workspaces failed"),
    );
  };
  void purge();
  if (purgeHolder.__batchboardThrottlePurge) clearInterval(purgeHolder.__batchboardThrottlePurge);
  purgeHolder.__batchboardThrottlePurge = setInterval(() => void purge(), PURGE_EVERY_MS);
  purgeHolder.__batchboardThrottlePurge.unref();
}
