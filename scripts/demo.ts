// `npm run demo`: the Trillet sandbox plus a production build of the app, on embedded defaults.
import "./lib/load-env"; // first: .env before lib/env.ts reads the settings

import { env } from "../lib/env";
import { SANDBOX_BATCHES } from "../lib/sandbox/index";
import { localSecrets } from "./lib/local-secrets";
import { buildIfStale, startNext } from "./lib/next-app";
import { startSandboxFromEnv } from "./lib/sandbox-from-env";

async function main() {
  // With no Trillet credentials configured, the demo runs against its own sandbox.
  const usesSandbox = !env.TRILLET_API_KEY;
  const sandbox = usesSandbox ? await startSandboxFromEnv() : undefined;
  if (sandbox) console.log(`Trillet sandbox: ${sandbox.server.url}`);

  // The app seeds the demo admin, member and Sandbox workspace, and prints how to sign in. Those
  // passwords are public, so the production build the demo runs must be told this is on purpose,
  // and it listens on DEMO_HOST (127.0.0.1 unless told otherwise): only this machine reaches it.
  // The sandbox runs on http://127.0.0.1, which workspace URLs may only point at with ALLOW_PRIVATE_URLS.
  // The production server wants the address people use; on this machine that is localhost.
  const appEnv = {
    ...process.env,
    ...localSecrets(),
    PUBLIC_URL: env.PUBLIC_URL ?? `http://localhost:${env.PORT}`,
    ...(usesSandbox ? { DEMO_SEED: "true", DEMO_SEED_IN_PRODUCTION: "true", ALLOW_PRIVATE_URLS: "true" } : {}),
  };
  buildIfStale(".next", appEnv);
  const app = startNext({ port: env.PORT, host: env.DEMO_HOST, distDir: ".next", env: appEnv, pretty: true });

  const shownHost = env.DEMO_HOST === "127.0.0.1" || env.DEMO_HOST === "0.0.0.0" || env.DEMO_HOST === "::" ? "localhost" : env.DEMO_HOST;
  const base = `http://${shownHost.includes(":") ? `[${shownHost}]` : shownHost}:${env.PORT}`;
  const ws = `${base}/w/sandbox/batches`;
  console.log(
    [
      "",
      "Batchboard demo",
      `  App:       ${base}`,
      ...(sandbox
        ? [
            `  Live:      ${ws}/${SANDBOX_BATCHES.live}`,
            `  Finished:  ${ws}/${SANDBOX_BATCHES.finished}`,
            `  Failing:   ${ws}/${SANDBOX_BATCHES.failing}`,
            `  100k:      ${ws}/${SANDBOX_BATCHES.large}`,
            `  Empty:     ${ws}/${SANDBOX_BATCHES.empty}`,
          ]
        : [`  Trillet:   ${env.TRILLET_BASE_URL}`]),
      "Sign-in details are printed by the app below (Demo sign-in).",
      "Press Ctrl+C to stop.",
      "",
    ].join("\n"),
  );

  const stop = async () => {
    await app.stop();
    await sandbox?.server.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  app.child.once("exit", (code) => {
    if (code !== null && code !== 0) {
      console.error(`The app stopped (exit ${code}).`);
      process.exit(code);
    }
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
