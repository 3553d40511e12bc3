import type { Page } from "@playwright/test";

import { appRoutes } from "./fixtures/routes";
import { sandbox } from "./fixtures/sandbox";
import { expect, test } from "./fixtures/test";

// Every page of the route sweep (read from app/, as route-sweep.spec.ts does), in light and dark,
// opened in a real browser: no console.error and no uncaught page error, React's hydration
// errors (#418 text, #425, ...) included. A hydration mismatch is a render that differs between
// server and client (a time relative to now, a locale format, a random id): the fix is to render
// the same thing on both, never to hide the message.

const pages = appRoutes().filter((r) => r.kind === "page");
/** Signed-out visitors see these; the others are opened as the seeded admin. */
const PUBLIC = new Set(["/login", "/setup", "/invite/[token]"]);

/** Batches in several states: finished, mostly failed, and one still running (its page refreshes itself). */
const EXTRA = ["/w/sandbox/batches/demo-failing", "/w/sandbox/batches/demo-live", "/w/sandbox/batches/demo-live/failed"];

/**
 * Deliberate failures, excluded one by one. Chromium logs every 4xx/5xx resource as a console
 * error ("Failed to load resource: the server responded with a status of 404"): a page that
 * answers 404 on purpose (an invite token that does not exist) logs exactly that for its own
 * document, and nothing else may be excused.
 */
const EXPECTED: { url: RegExp; text: RegExp; why: string }[] = [
  {
    url: /\/invite\/not-a-real-invite-token$/,
    text: /^Failed to load resource: the server responded with a status of 404 \(Not Found\)$/,
    why: "an unknown invite token is a 404 page by design",
  },
];

function watch(page: Page) {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const text = message.text();
    const where = message.location().url || page.url();
    if (EXPECTED.some((e) => e.url.test(where) && e.text.test(text))) return;
    errors.push(`console.error at ${where}: ${text}`);
  });
  page.on("pageerror", (error) => errors.push(`uncaught at ${page.url()}: ${error.message}`));
  return errors;
}

/** Opens the page and gives hydration and the first effects a moment to run (and to complain). */
async function visit(page: Page, url: string) {
  await page.goto(url, { waitUntil: "load" });
  await page.waitForTimeout(1_000);
}

const signedIn = [...pages.filter((r) => !PUBLIC.has(r.pattern)).map((r) => r.url), ...EXTRA];

for (const scheme of ["light", "dark"] as const) {
  test.describe(`${scheme} mode`, () => {
    test.use({ colorScheme: scheme });

    for (const url of signedIn) {
      test(`${url}: no console error or uncaught error`, async ({ page }) => {
        const errors = watch(page);
        await visit(page, url);
        expect(errors).toEqual([]);
      });
    }

    test("a running batch, loaded three times: no hydration error", async ({ page }) => {
      const errors = watch(page);
      for (let i = 0; i < 3; i++) await visit(page, "/w/sandbox/batches/demo-live");
      expect(errors).toEqual([]);
    });

    // The server renders in its own zone and locale; a viewer elsewhere hydrates in theirs. A time
    // formatted on the server ("retrying at 14:03:07") then differs from the browser's first render.
    test.describe("in another time zone and locale than the server's", () => {
      test.use({ locale: "de-DE", timezoneId: "Pacific/Auckland" });

      test("a running batch whose numbers are not up to date, and its failures, load without a hydration error", async ({ page }) => {
        const errors = watch(page);
        await visit(page, "/w/sandbox/batches/demo-live"); // a good read to fall back on
        await sandbox.setFaults([{ kind: "429", rate: 1, batchId: "demo-live" }]);
        try {
          for (let i = 0; i < 3; i++) {
            await visit(page, "/w/sandbox/batches/demo-live");
            await expect(page.getByTestId("stale-note")).toBeVisible();
          }
          await visit(page, "/w/sandbox/batches/demo-live/failed");
        } finally {
          await sandbox.clearFaults();
        }
        expect(errors).toEqual([]);
      });
    });

    test.describe("signed out", () => {
      test.use({ storageState: { cookies: [], origins: [] } });

      for (const route of pages.filter((r) => PUBLIC.has(r.pattern))) {
        test(`${route.url}: no console error or uncaught error`, async ({ page }) => {
          const errors = watch(page);
          await visit(page, route.url);
          expect(errors).toEqual([]);
        });
      }
    });
  });
}
