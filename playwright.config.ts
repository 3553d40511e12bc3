import { defineConfig, devices } from "@playwright/test";

import { E2E } from "./tests/e2e/fixtures/settings";

// Drives the system Chromium (see scripts/ensure-chromium.mjs): Playwright's own browser
// download is not available on this network.
const executablePath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

export default defineConfig({
  testDir: "tests/e2e",
  outputDir: "test-results/playwright",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: true,
  reporter: [["list"], ["json", { outputFile: "test-results/playwright.json" }]],
  use: {
    baseURL: E2E.appUrl,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--no-first-run",
      ],
    },
  },
  projects: [
    { name: "setup", testMatch: /auth\.setup\.ts/ },
    {
      name: "chromium",
      dependencies: ["setup"],
      use: { ...devices["Desktop Chrome"], channel: undefined, storageState: "test-results/e2e-admin.json" },
    },
    { name: "final", testMatch: /\.final\.ts/, dependencies: ["chromium"] },
  ],
  webServer: {
    command: "node --conditions=react-server --import tsx scripts/e2e-server.ts",
    url: `${E2E.appUrl}/api/health`,
    reuseExistingServer: false,
    timeout: 600_000,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      NODE_ENV: "production",
      // Production requires the address people use: here, the harness's own loopback URL.
      PUBLIC_URL: E2E.appUrl,
      // The app seeds the demo users and the "sandbox" workspace, pointing at this sandbox
      // (a loopback Trillet URL, allowed explicitly; demo seeding in production, allowed explicitly).
      DEMO_SEED: "true",
      // A production build with public demo passwords, on 127.0.0.1, on purpose (lib/env.ts refuses it otherwise).
      DEMO_SEED_IN_PRODUCTION: "true",
      // The sandbox and the notification receivers tests start run on http://127.0.0.1, private
      // addresses that workspace and channel URLs may not use by default.
      ALLOW_PRIVATE_URLS: "true",
      PGLITE_DIR: E2E.pgliteDir,
      EXPORT_CACHE_DIR: E2E.exportCacheDir,
      AUTH_SECRET: "e2e-auth-secret-0123456789abcdefghijklmnop",
      ENCRYPTION_KEY: "ZTJlLWVuY3J5cHRpb24ta2V5LTAxMjM0NTY3ODlhYmM=",
      E2E_APP_PORT: String(E2E.appPort),
      E2E_SANDBOX_PORT: String(E2E.sandboxPort),
      E2E_OIDC_PORT: String(E2E.oidcPort),
      // OIDC sign-in against the real OpenID provider scripts/e2e-server.ts starts.
      OIDC_ISSUER: E2E.oidcUrl,
      OIDC_CLIENT_ID: E2E.oidcClientId,
      OIDC_CLIENT_SECRET: E2E.oidcClientSecret,
      OIDC_NAME: E2E.oidcName,
      OIDC_ALLOWED_DOMAINS: E2E.oidcDomain,
      SANDBOX_PORT: String(E2E.sandboxPort),
      SANDBOX_API_KEY: E2E.apiKey,
      SANDBOX_WORKSPACE_ID: E2E.workspaceId,
      SANDBOX_ALLOW_IN_PRODUCTION: "true",
      SANDBOX_CONTROL: "true",
      SANDBOX_RATE_LIMIT: "600",
      TRILLET_RATE_LIMIT_PER_MINUTE: "600",
      TRILLET_MAX_RETRIES: "1",
      TRILLET_TIMEOUT_MS: "2000",
      TRILLET_MAX_RATE_LIMIT_WAIT_MS: "1500",
      TRILLET_VIEW_DEADLINE_MS: "1500",
      GATEWAY_CACHE_LIVE_MS: "500",
      GATEWAY_CACHE_FINISHED_MS: "500",
      // The admin's stored sign-in (auth.setup.ts) is older than 15 minutes well before the suite
      // ends; the confirmation page has its own tests (oidc.spec.ts), the other specs act at once.
      FRESH_SIGN_IN_MINUTES: "240",
      // /api/metrics answers (metrics.spec.ts); the log is JSON at info (server-log.final.ts reads it).
      METRICS_TOKEN: E2E.metricsToken,
      LOG_LEVEL: "info",
    },
  },
});
