// `npm run db:migrate`: applies the committed migrations to DATABASE_URL, or to PGlite in
// PGLITE_DIR (the app also does this on start).
import "./lib/load-env"; // first: .env before lib/env.ts reads the settings

import { openDatabase } from "../lib/db";
import { env } from "../lib/env";

async function main() {
  const handle = await openDatabase({ url: env.DATABASE_URL, dataDir: env.PGLITE_DIR });
  console.log(`Migrations applied (${handle.kind === "postgres" ? "PostgreSQL" : `PGlite in ${env.PGLITE_DIR}`}).`);
  await handle.close();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
