import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { E2E } from "./fixtures/settings";

// Runs after every other browser test (its own project, see playwright.config.ts): by now the
// server has logged whatever the whole run made it log.
test("the server log of the whole run holds neither Trillet credential", () => {
  const log = readFileSync(E2E.serverLog, "utf8");
  expect(log).toContain("Ready");
  expect(log).toContain("Demo sign-in");
  for (const secret of [E2E.apiKey, E2E.workspaceId]) expect(log.includes(secret), secret).toBe(false);
});
