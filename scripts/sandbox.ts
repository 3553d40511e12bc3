// Standalone Trillet sandbox: `npm run sandbox`. Settings: the SANDBOX_* variables (.env.example).
import "./lib/load-env"; // first: .env before lib/env.ts reads the settings

import { startSandboxFromEnv } from "./lib/sandbox-from-env";

async function main(): Promise<void> {
  const { sandbox, server } = await startSandboxFromEnv();
  // The URL and batch ids only: the API key is a secret even when it is a demo one.
  console.log(`Trillet sandbox listening on ${server.url}`);
  console.log(`Batches: ${sandbox.batchIds.join(", ")}`);
  const stop = () =>
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
