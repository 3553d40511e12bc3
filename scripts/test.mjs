#!/usr/bin/env node
// `npm test`: unit and integration tests (Vitest), then the browser tests (Playwright on the
// system Chromium), then one summary line counting both.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";

const run = (cmd, args, env = {}) => spawnSync(cmd, args, { stdio: "inherit", env: { ...process.env, ...env } }).status ?? 1;

mkdirSync("test-results", { recursive: true });
for (const f of ["test-results/vitest.json", "test-results/playwright.json"]) rmSync(f, { force: true });

const steps = [];
steps.push(run("npx", ["vitest", "run"]));
const browser = run("node", ["scripts/ensure-chromium.mjs"]);
steps.push(browser === 0 ? run("npx", ["playwright", "test"]) : browser);

const read = (f) => (existsSync(f) ? JSON.parse(readFileSync(f, "utf8")) : null);
const vitest = read("test-results/vitest.json");
const pw = read("test-results/playwright.json");
const passed = (vitest?.numPassedTests ?? 0) + (pw?.stats?.expected ?? 0) + (pw?.stats?.flaky ?? 0);
const failed = (vitest?.numFailedTests ?? 0) + (pw?.stats?.unexpected ?? 0) + (vitest ? 0 : 1) + (pw ? 0 : 1);
const skipped = (vitest?.numPendingTests ?? 0) + (vitest?.numTodoTests ?? 0) + (pw?.stats?.skipped ?? 0);

console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 || steps.some((s) => s !== 0) ? 1 : 0);
