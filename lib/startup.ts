import "server-only";
import { getDb } from "./db";
import { assertServingSettings, env } from "./env";
import { deleteExpiredSessions } from "./auth/sessions";
import { issueSetupToken } from "./auth/setup";
import { startMirrorWorker } from "./batches/mirror-worker";
import { seedDemo } from "./demo-seed";
import { installShutdownHandlers, setMirrorWorker } from "./lifecycle";
import { ensureWorkspaceFromSettings } from "./workspaces";

/** Runs once per server process (instrumentation.ts): schema, configured workspace, first-run setup. */
export async function startUp(log: (line: string) => void = console.log) {
  // Production refuses to start without AUTH_SECRET, ENCRYPTION_KEY and PUBLIC_URL (named).
  assertServingSettings(env);
  const db = await getDb();
  // Expired sessions are refused anyway; clearing them at start keeps the table from growing.
  await deleteExpiredSessions(db);
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
  setMirrorWorker(startMirrorWorker());
  const setupToken = await issueSetupToken(db);
  if (setupToken) {
    log(`No user exists yet. Create the first admin at /setup?token=${setupToken} (or run npm run user:create).`);
  }
  // SIGTERM/SIGINT: drain (readiness 503, claims handed back, exports failed), then exit in bound.
  installShutdownHandlers({ timeoutMs: env.SHUTDOWN_TIMEOUT_MS, log });
}
