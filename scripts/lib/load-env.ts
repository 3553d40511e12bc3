// Loads .env files from the working directory the way `next start` does (.env.production.local,
// .env.local, .env.production, .env; variables already set win), so a script acts on the same
// database and keys as the app. Imported FIRST by every script: ES modules run their imports in
// order, and lib/env.ts reads process.env once, when it is first imported.
import nextEnv from "@next/env";

nextEnv.loadEnvConfig(process.cwd(), false);
