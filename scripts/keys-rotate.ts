// `npm run keys:rotate`: re-seals every stored Trillet credential with a new ENCRYPTION_KEY.
// Set OLD_ENCRYPTION_KEY to the key in use and ENCRYPTION_KEY to the new one (environment or
// .env), with the app instances stopped; then start them with the new ENCRYPTION_KEY. Safe to run
// again: rows already sealed with the new key are left alone. See docs/operations.md.
import "./lib/load-env"; // first: .env before lib/env.ts reads the settings

import { openDatabase } from "../lib/db";
import { env } from "../lib/env";
import { rotateSealedSecrets } from "../lib/security/rotate-keys";

async function main() {
  if (!env.OLD_ENCRYPTION_KEY || !env.ENCRYPTION_KEY) {
    throw new Error("Set OLD_ENCRYPTION_KEY (the key the credentials are sealed with now) and ENCRYPTION_KEY (the new key).");
  }
  const handle = await openDatabase({ url: env.DATABASE_URL, dataDir: env.PGLITE_DIR });
  try {
    const result = await rotateSealedSecrets(
      handle.db,
      Buffer.from(env.OLD_ENCRYPTION_KEY, "base64"),
      Buffer.from(env.ENCRYPTION_KEY, "base64"),
    );
    console.log(
      `Re-sealed the Trillet credentials of ${result.resealed} workspace(s) with the new ENCRYPTION_KEY` +
        (result.alreadyNew ? ` (${result.alreadyNew} already used it).` : "."),
    );
    console.log("Now start the app with the new ENCRYPTION_KEY, and remove OLD_ENCRYPTION_KEY.");
  } finally {
    await handle.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
