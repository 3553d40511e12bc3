import "server-only";

import { getDatabase, type Database } from "../db";
import { env } from "../env";
import { open } from "../security/secret-box";
import { WorkspaceGateway } from "./gateway";
import { SharedBudget } from "./shared-budget";
import { SharedReadCache } from "./shared-cache";

export interface SealedConnection {
  id: string;
  baseUrl: string;
  apiKeyEnc: string;
  trilletWorkspaceIdEnc: string;
  updatedAt: Date;
}

// One gateway per workspace per process (one budget, one cache), kept on globalThis so dev-mode
// reloads do not multiply budgets. A saved change of credentials gives the workspace a new one.
// On PostgreSQL the budget and the read cache live in the database, shared by every instance
// (keyed by the workspace's internal id); on embedded PGlite (one process) they stay in memory.
const holder = globalThis as typeof globalThis & {
  __batchboardGateways?: Map<string, { version: number; db: Database; gateway: WorkspaceGateway }>;
};

export async function gatewayFor(connection: SealedConnection): Promise<WorkspaceGateway> {
  const { db, kind } = await getDatabase();
  const gateways = (holder.__batchboardGateways ??= new Map());
  const version = connection.updatedAt.getTime();
  const found = gateways.get(connection.id);
  if (found && found.version === version && found.db === db) return found.gateway;
  const shared =
    kind === "postgres"
      ? {
          budget: new SharedBudget({ db, budgetKey: connection.id, limitPerMinute: env.TRILLET_RATE_LIMIT_PER_MINUTE }),
          // The version keeps reads made with replaced credentials from being served for new ones.
          sharedCache: new SharedReadCache({ db, namespace: `${connection.id}\n${version}` }),
        }
      : {};
  // The only place the credentials are decrypted: they go straight into the client's headers.
  const gateway = new WorkspaceGateway(
    {
      baseUrl: connection.baseUrl,
      apiKey: open(connection.apiKeyEnc, apiKeyAad(connection.id)),
      workspaceId: open(connection.trilletWorkspaceIdEnc, workspaceIdAad(connection.id)),
    },
    {
      limitPerMinute: env.TRILLET_RATE_LIMIT_PER_MINUTE,
      timeoutMs: env.TRILLET_TIMEOUT_MS,
      maxRetries: env.TRILLET_MAX_RETRIES,
      maxRateLimitWaitMs: env.TRILLET_MAX_RATE_LIMIT_WAIT_MS,
      viewDeadlineMs: env.TRILLET_VIEW_DEADLINE_MS,
      cacheBytes: env.GATEWAY_CACHE_MB * 1024 * 1024,
      label: connection.id,
      liveTtlMs: env.GATEWAY_CACHE_LIVE_MS,
      finishedTtlMs: env.GATEWAY_CACHE_FINISHED_MS,
      ...shared,
    },
  );
  gateways.set(connection.id, { version, db, gateway });
  return gateway;
}

/** A removed workspace's gateway (its budget and cache) is dropped from this process. */
export function forgetGateway(workspaceId: string): void {
  holder.__batchboardGateways?.delete(workspaceId);
}

export const apiKeyAad = (workspaceId: string) => `workspace:${workspaceId}:api_key`;
export const workspaceIdAad = (workspaceId: string) => `workspace:${workspaceId}:trillet_workspace_id`;

/** Each workspace gateway of this process with its budget's state, for /api/metrics. */
export function gatewayBudgets(): { workspace: string; limit: number; stats: ReturnType<WorkspaceGateway["budget"]["stats"]> }[] {
  return [...(holder.__batchboardGateways?.entries() ?? [])].map(([workspace, { gateway }]) => ({
    workspace,
    limit: gateway.limitPerMinute,
    stats: gateway.budget.stats(),
  }));
}
