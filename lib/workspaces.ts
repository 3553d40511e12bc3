import "server-only";
import { env } from "./env";
import { WorkspaceGateway } from "./trillet/gateway";

export interface Workspace {
  slug: string;
  name: string;
  gateway: WorkspaceGateway;
}

/** What a page may show about a workspace: never its credentials. */
export interface WorkspaceInfo {
  slug: string;
  name: string;
}

// One gateway per workspace per process, kept on globalThis so dev-mode reloads do not multiply
// budgets. (The sign-in issue moves workspaces into the database; the data engine issue moves
// budget coordination there too.)
const registry = globalThis as typeof globalThis & { __batchboardWorkspaces?: Map<string, Workspace> };

function workspaces(): Map<string, Workspace> {
  if (!registry.__batchboardWorkspaces) {
    const gateway = new WorkspaceGateway(
      { baseUrl: env.TRILLET_BASE_URL, apiKey: env.TRILLET_API_KEY, workspaceId: env.TRILLET_WORKSPACE_ID },
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
    registry.__batchboardWorkspaces = new Map([
      [env.WORKSPACE_SLUG, { slug: env.WORKSPACE_SLUG, name: env.WORKSPACE_NAME, gateway }],
    ]);
  }
  return registry.__batchboardWorkspaces;
}

export function getWorkspace(slug: string): Workspace | null {
  return workspaces().get(slug) ?? null;
}

export function listWorkspaces(): WorkspaceInfo[] {
  return [...workspaces().values()].map(({ slug, name }) => ({ slug, name }));
}
