// `npm run demo`: the Trillet sandbox plus a production build of the app, on embedded defaults.
import { env } from "../lib/env";
import { SANDBOX_BATCHES } from "../lib/sandbox/index";
import { buildIfStale, startNext } from "./lib/next-app";
import { startSandboxFromEnv } from "./lib/sandbox-from-env";

async function main() {
  const sandboxUrl = `http://127.0.0.1:${env.SANDBOX_PORT}`;
  const usesSandbox = env.TRILLET_BASE_URL === sandboxUrl || env.TRILLET_BASE_URL === `http://localhost:${env.SANDBOX_PORT}`;
  const sandbox = usesSandbox ? await startSandboxFromEnv() : undefined;
  if (sandbox) console.log(`Trillet sandbox: ${sandbox.server.url}`);

  buildIfStale(".next", process.env);
  const app = startNext({ port: env.PORT, distDir: ".next", env: process.env });

  const base = `http://localhost:${env.PORT}`;
  const ws = `${base}/w/${env.WORKSPACE_SLUG}/batches`;
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
