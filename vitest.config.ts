import path from "node:path";
import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(import.meta.dirname),
      "server-only": path.resolve(import.meta.dirname, "tests/support/server-only.ts"),
    },
  },
  test: {
    include: ["tests/unit/**/*.test.ts", "tests/integration/**/*.test.ts"],
    // Two app instances sharing one database need a database server: embedded PGlite is one
    // process's folder. So the production check runs in the PostgreSQL pass (.ci/run sets
    // TEST_DATABASE_URL) and is not part of the PGlite pass at all (not a skip).
    exclude: [...configDefaults.exclude, ...(process.env.TEST_DATABASE_URL ? [] : ["tests/integration/db-production.test.ts"])],
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // .ci/run names a second report for its PostgreSQL pass so the two do not overwrite each other.
    reporters: ["default", ["json", { outputFile: process.env.VITEST_JSON ?? "test-results/vitest.json" }]],
  },
});
