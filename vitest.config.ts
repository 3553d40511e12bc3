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
    // The sandbox runs on http://127.0.0.1, which workspace URLs may only use with this setting
    // (lib/security/outbound-url.ts); tests of the refusal pass the option explicitly. The app's
    // JSON log lines would bury the test output; tests of the log capture it themselves.
    env: { ALLOW_PRIVATE_URLS: "true", LOG_LEVEL: "silent" },
    // Files and the tests inside them run in a random order, so no test can lean on what an earlier
    // one left behind. Vitest prints the seed ("Running tests with seed N"); VITEST_SEED=N replays
    // that order (or `npx vitest run --sequence.seed=N`).
    sequence: { shuffle: true, ...(process.env.VITEST_SEED ? { seed: Number(process.env.VITEST_SEED) } : {}) },
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // .ci/run names a second report for its PostgreSQL pass so the two do not overwrite each other.
    reporters: ["default", ["json", { outputFile: process.env.VITEST_JSON ?? "test-results/vitest.json" }]],
  },
});
