import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

import { sandbox } from "./fixtures/sandbox";
import { E2E } from "./fixtures/settings";
import { expect, test } from "./fixtures/test";

// The workspace's Trillet credentials are server secrets: they must never reach a browser.
const SECRETS = [E2E.apiKey, E2E.workspaceId];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

test("the client bundle holds neither the API key nor the workspace id", () => {
  const staticFiles = files(path.join(E2E.distDir, "static"));
  expect(staticFiles.filter((f) => f.endsWith(".js")).length).toBeGreaterThan(0);
  for (const file of staticFiles) {
    const text = readFileSync(file, "utf8");
    for (const secret of SECRETS) expect(text.includes(secret), `${secret} in ${file}`).toBe(false);
  }
});

test("rendered pages, including error states, hold neither secret", async ({ request }) => {
  const pages = [
    "/",
    "/w/sandbox/batches/demo-finished",
    "/w/sandbox/batches/demo-live?status=failed&page=2&limit=50",
    "/w/sandbox/batches/no-such-batch",
    "/nowhere",
  ];
  for (const url of pages) {
    const html = await (await request.get(url)).text();
    expect(html.length).toBeGreaterThan(500);
    for (const secret of SECRETS) expect(html.includes(secret), `${secret} in ${url}`).toBe(false);
  }
  await sandbox.setFaults([{ kind: "401", rate: 1 }]);
  try {
    const html = await (await request.get("/w/sandbox/batches/demo-live?limit=100")).text();
    expect(html).toContain("rejected this workspace");
    for (const secret of SECRETS) expect(html.includes(secret)).toBe(false);
  } finally {
    await sandbox.clearFaults();
  }
});
