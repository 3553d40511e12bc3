import { defineConfig } from "drizzle-kit";

// `npx drizzle-kit generate` writes SQL migrations from lib/db/schema.ts; they are committed and
// applied at start-up and by `npm run db:migrate`, on PGlite and PostgreSQL alike.
export default defineConfig({
  dialect: "postgresql",
  schema: "./lib/db/schema.ts",
  out: "./lib/db/migrations",
});
