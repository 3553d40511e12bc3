// Starts the Trillet sandbox from the validated settings of lib/env.ts (SANDBOX_*).
import { env } from "../../lib/env";
import { createSandbox, sandboxOptionsFromSettings, type Sandbox } from "../../lib/sandbox/index";
import { startSandboxServer } from "../../lib/sandbox/node-server";

export async function startSandboxFromEnv(overrides: { port?: number; apiKey?: string; workspaceId?: string; control?: boolean } = {}) {
  const sandbox: Sandbox = createSandbox(
    sandboxOptionsFromSettings({
      apiKey: overrides.apiKey ?? env.SANDBOX_API_KEY,
      workspaceId: overrides.workspaceId ?? env.SANDBOX_WORKSPACE_ID,
      rateLimitPerMinute: env.SANDBOX_RATE_LIMIT,
      latencyMs: env.SANDBOX_LATENCY_MS,
      liveSpeed: env.SANDBOX_LIVE_SPEED,
      faults: env.SANDBOX_FAULTS,
      control: overrides.control ?? env.SANDBOX_CONTROL,
      production: env.NODE_ENV === "production",
      allowInProduction: env.SANDBOX_ALLOW_IN_PRODUCTION,
    }),
  );
  const server = await startSandboxServer(sandbox, { port: overrides.port ?? env.SANDBOX_PORT, host: "127.0.0.1" });
  return { sandbox, server };
}
