import { createSandbox, type Sandbox, type SandboxOptions } from "@/lib/sandbox";
import { startSandboxServer } from "@/lib/sandbox/node-server";
import { WorkspaceGateway, type GatewayOptions } from "@/lib/trillet/gateway";

export const TEST_KEY = "sk_test_3fJ8kQ2mV7xN5pW1";
export const TEST_WORKSPACE = "ws_test_9aB4cD7eF2gH";

export interface RunningSandbox {
  sandbox: Sandbox;
  url: string;
  close(): Promise<void>;
  gateway(options?: Partial<GatewayOptions>, credentials?: { apiKey?: string; workspaceId?: string }): WorkspaceGateway;
}

/** A sandbox on a random loopback port, reached over real HTTP like the real Trillet. */
export async function startTestSandbox(options: Partial<SandboxOptions> = {}): Promise<RunningSandbox> {
  const sandbox = createSandbox({
    credentials: [{ apiKey: TEST_KEY, workspaceId: TEST_WORKSPACE }],
    rateLimitPerMinute: 0,
    ...options,
  });
  const server = await startSandboxServer(sandbox, { port: 0 });
  return {
    sandbox,
    url: server.url,
    close: () => server.close(),
    gateway: (overrides = {}, credentials = {}) =>
      new WorkspaceGateway(
        {
          baseUrl: server.url,
          apiKey: credentials.apiKey ?? TEST_KEY,
          workspaceId: credentials.workspaceId ?? TEST_WORKSPACE,
        },
        {
          limitPerMinute: 6_000,
          timeoutMs: 2_000,
          maxRetries: 3,
          maxRateLimitWaitMs: 5_000,
          liveTtlMs: 0,
          finishedTtlMs: 0,
          ...overrides,
        },
      ),
  };
}
