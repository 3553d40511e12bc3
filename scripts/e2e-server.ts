// The end-to-end harness Playwright starts: a sandbox with control routes, a real OpenID provider
// and a production build of the app, all configured by playwright.config.ts (webServer.env).
import { mkdirSync, rmSync } from "node:fs";

import { E2E } from "../tests/e2e/fixtures/settings";
import { startOidcProvider } from "../tests/support/oidc-provider";
import { buildIfStale, startNext } from "./lib/next-app";
import { startSandboxFromEnv } from "./lib/sandbox-from-env";

async function main() {
  mkdirSync("test-results", { recursive: true });
  rmSync(E2E.serverLog, { force: true });
  // Every run starts from an empty database: the app migrates and seeds it on start.
  rmSync(E2E.pgliteDir, { recursive: true, force: true });
  rmSync(E2E.exportCacheDir, { recursive: true, force: true });
  const { server } = await startSandboxFromEnv({ port: E2E.sandboxPort, control: true });
  // Up before the app, which reads the provider's discovery document on the first OIDC sign-in.
  const oidc = await startOidcProvider({
    port: E2E.oidcPort,
    clientId: E2E.oidcClientId,
    clientSecret: E2E.oidcClientSecret,
    redirectUri: `${E2E.appUrl}/api/auth/callback/oidc`,
  });
  buildIfStale(E2E.distDir, process.env);
  const app = startNext({ port: E2E.appPort, host: "127.0.0.1", distDir: E2E.distDir, env: process.env, logFile: E2E.serverLog });
  const stop = async () => {
    await app.stop();
    await server.close();
    await oidc.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
