import "server-only";
import { env } from "../env";
import { open } from "../security/secret-box";
import { WorkspaceGateway } from "./gateway";

export interface SealedConnection {
  id: string;
  baseUrl: string;
  apiKeyEnc: string;
  trilletWorkspaceIdEnc: string;
  updatedAt: Date;
}

// One gateway per workspace per process (one budget, one cache), kept on globalThis so dev-mode
// reloads do not multiply budgets. A saved change of credentials gives the workspace a new one.
const holder = globalThis as typeof globalThis & { __batchboardGateways?: Map<string, { version: number; gateway: WorkspaceGateway }> };

export function gatewayFor(connection: SealedConnection): WorkspaceGateway {
  const gateways = (holder.__batchboardGateways ??= new Map());
  const version = connection.updatedAt.getTime();
  const found = gateways.get(connection.id);
  if (found && found.version === version) return found.gateway;
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
      interactiveMaxWaitMs: env.TRILLET_INTERACTIVE_MAX_WAIT_MS,
      liveTtlMs: env.GATEWAY_CACHE_LIVE_MS,
      finishedTtlMs: env.GATEWAY_CACHE_FINISHED_MS,
    },
  );
  gateways.set(connection.id, { version, gateway });
  return gateway;
}

export const apiKeyAad = (workspaceId: string) => `workspace:${workspaceId}:api_key`;
export const workspaceIdAad = (workspaceId: string) => `workspace:${workspaceId}:trillet_workspace_id`;
