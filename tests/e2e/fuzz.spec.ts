import { readFileSync, statSync } from "node:fs";
import http from "node:http";

import { request as playwrightRequest, type APIRequestContext, type Browser } from "@playwright/test";

import { signInFromLogin, USERS } from "./fixtures/auth";
import { fuzzInputs, type FuzzInput } from "./fixtures/fuzz-inputs";
import { appRoutes } from "./fixtures/routes";
import { E2E } from "./fixtures/settings";
import { expect, test } from "./fixtures/test";

// Hostile input gets a 4xx (or the page's fallback), never a 5xx: generated paths and queries for
// every page and route handler, sent signed out, as a member and as an admin. A 5xx fails the run
// and names the input; so does a stack trace the server logged while they were answered.

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_130);
const INPUTS = Number(process.env.FUZZ_INPUTS ?? 1_200);
const CONCURRENCY = 12;
const IDENTITIES = ["signed out", "member", "admin"] as const;
type Identity = (typeof IDENTITIES)[number];

/** The cookie header of a fresh session per identity (not the suite's shared one). */
async function sessions(browser: Browser): Promise<Record<Identity, string>> {
  const cookieOf = async (user: { email: string; password: string }) => {
    const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
    await signInFromLogin(await context.newPage(), user);
    const { cookies } = await context.storageState();
    await context.close();
    return cookies.map((c) => `${c.name}=${c.value}`).join("; ");
  };
  return { "signed out": "", member: await cookieOf(USERS.member), admin: await cookieOf(USERS.admin) };
}

// node:http sends the path byte for byte (no URL parser normalising "//" or "%2E%2E"), and reads
// the large headers a 10,000-character URL can come back with.
const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });

function send(input: FuzzInput, cookie: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: "text/html,application/json" };
    if (cookie) headers.cookie = cookie;
    if (input.contentType) headers["content-type"] = input.contentType;
    const request = http.request(
      {
        host: "127.0.0.1",
        port: E2E.appPort,
        path: input.url,
        method: input.method,
        headers,
        agent,
        maxHeaderSize: 1 << 20,
        timeout: 30_000,
      },
      (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode ?? 0));
        response.on("error", reject);
      },
    );
    request.on("timeout", () => request.destroy(new Error("no answer within 30 s")));
    request.on("error", reject);
    request.end(input.body);
  });
}

/** The batches the inputs name are copied first, so their pages are answered from the copy, not Trillet. */
async function copied(api: APIRequestContext, batchId: string) {
  await expect
    .poll(async () => (await (await api.get(`/api/w/sandbox/batches/${batchId}?sort=-duration`)).json()).source, { timeout: 30_000 })
    .toBe("mirror");
}

test("1,000+ generated hostile inputs on every route, three identities: no 5xx, no stack trace in the log", async ({ browser }) => {
  test.setTimeout(240_000);
  const routes = appRoutes();
  const inputs = fuzzInputs(routes, INPUTS, SEED);
  expect(new Set(inputs.map((i) => i.route))).toEqual(new Set(routes.map((r) => r.pattern)));

  const cookies = await sessions(browser);
  const admin = await playwrightRequest.newContext({ baseURL: E2E.appUrl, extraHTTPHeaders: { cookie: cookies.admin } });
  for (const batchId of ["demo-finished", "demo-failing", "demo-empty"]) await copied(admin, batchId);
  await admin.dispose();

  const logStart = statSync(E2E.serverLog).size;
  const jobs = inputs.flatMap((input) => IDENTITIES.map((identity) => ({ input, identity })));
  const statuses = new Map<string, number>();
  const failures: string[] = [];
  const count = (kind: string) => statuses.set(kind, (statuses.get(kind) ?? 0) + 1);
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < jobs.length) {
        const { input, identity } = jobs[next++]!;
        const url = input.url.length > 300 ? `${input.url.slice(0, 300)}… (${input.url.length} chars)` : input.url;
        const name = `${identity} ${input.method} ${url}`;
        try {
          const status = await send(input, cookies[identity]);
          count(`${Math.floor(status / 100)}xx`);
          if (status >= 500) failures.push(`${name} -> ${status}`);
        } catch (error) {
          count("no answer");
          failures.push(`${name} -> no answer (${error instanceof Error ? error.message.split("\n")[0] : error})`);
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `fuzz: seed ${SEED}, ${inputs.length} inputs x ${IDENTITIES.length} identities = ${jobs.length} requests over ${routes.length} routes in ${seconds.toFixed(1)} s; ` +
      [...statuses]
        .sort()
        .map(([k, n]) => `${k} ${n}`)
        .join(", "),
  );
  agent.destroy();

  expect(failures, "inputs answered with a 5xx (or not at all)").toEqual([]);
  // The log is written through a stream: give it a moment, then read what this test made it log.
  await new Promise((r) => setTimeout(r, 1_000));
  const log = readFileSync(E2E.serverLog).subarray(logStart).toString("utf8");
  const traces = log
    .split("\n")
    .flatMap((line, i, lines) => (/^\s+at |\\n\s+at |"stack":"/.test(line) ? [lines.slice(Math.max(0, i - 3), i + 1).join("\n")] : []));
  expect(traces.slice(0, 5), "stack traces in the server log during the fuzz").toEqual([]);
});
