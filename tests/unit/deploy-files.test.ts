import { readFileSync } from "node:fs";

import { describe, expect, it } from "vitest";

import { STANDALONE_COMMAND } from "../../scripts/lib/standalone.mjs";

// Cheap static checks of the container files: no Docker daemon runs here, so the image is never
// built in CI. What CI does run is STANDALONE_COMMAND in the standalone folder (the end-to-end
// suite and tests/integration/db-production.test.ts); these checks tie the image to it.

const dockerfile = readFileSync("Dockerfile", "utf8");
const compose = readFileSync("compose.yaml", "utf8");
const caddyfile = readFileSync("Caddyfile", "utf8");

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
const instructions = dockerfile
  .replace(/\\\n\s*/g, " ")
  .split("\n")
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith("#"));

/** The instructions of one stage (FROM ... AS name up to the next FROM). */
function stage(name: string): string[] {
  const start = instructions.findIndex((line) => new RegExp(`^FROM \\S+ AS ${name}$`, "i").test(line));
  expect(start, `stage ${name}`).toBeGreaterThanOrEqual(0);
  const next = instructions.findIndex((line, i) => i > start && /^FROM /i.test(line));
  return instructions.slice(start, next === -1 ? undefined : next);
}

/** A compose service's block (its lines up to the next service at the same indent). */
function service(name: string): string {
  const match = new RegExp(`^  ${name}:\\n((?:    .*\\n|\\s*\\n)*)`, "m").exec(compose);
  expect(match, `service ${name}`).not.toBeNull();
  return match![1]!;
}

describe("Dockerfile", () => {
  const runtime = stage("runtime");

  it("runs exactly the standalone command CI tests, as PID 1 (exec form)", () => {
    const cmd = runtime.filter((line) => line.startsWith("CMD "));
    expect(cmd).toHaveLength(1);
    expect(JSON.parse(cmd[0]!.slice(4))).toEqual(STANDALONE_COMMAND);
    // No ENTRYPOINT wrapping it in a shell or npm (which would keep SIGTERM from Node).
    expect(runtime.some((line) => line.startsWith("ENTRYPOINT"))).toBe(false);
    // It is the last stage, so a plain `docker build` produces it.
    expect(instructions.filter((line) => /^FROM /i.test(line)).at(-1)).toMatch(/ AS runtime$/);
  });

  it("builds on Node 20 slim with an exact tag, installs with npm ci, copies the standalone output", () => {
    const image = /^ARG NODE_IMAGE=(\S+)$/m.exec(dockerfile)?.[1];
    expect(image).toMatch(/^node:20\.\d+\.\d+-[a-z]+-slim(@sha256:[0-9a-f]{64})?$/);
    expect(instructions).toContain("RUN npm ci --no-audit --no-fund");
    expect(stage("build")).toContain("RUN npm run build");
    expect(runtime).toContain("COPY --from=build --chown=node:node /app/.next/standalone ./");
    expect(runtime).toContain("COPY --from=build --chown=node:node /app/.next/static ./.next/static");
    expect(runtime).toContain("COPY --from=build --chown=node:node /app/public ./public");
  });

  it("runs as a non-root user, listens on all interfaces, checks readiness with Node", () => {
    expect(runtime).toContain("USER node");
    expect(runtime.join("\n")).toMatch(/HOSTNAME=0\.0\.0\.0/);
    const healthcheck = runtime.find((line) => line.startsWith("HEALTHCHECK"));
    expect(healthcheck).toMatch(/CMD \["node", "-e", .*\/api\/ready/);
    expect(healthcheck).not.toMatch(/curl|wget/);
  });

  it("takes no secret as a build argument", () => {
    const args = instructions.filter((line) => line.startsWith("ARG ")).map((line) => line.slice(4).split("=")[0]);
    expect(args).toEqual(["NODE_IMAGE"]);
    expect(dockerfile).not.toMatch(/AUTH_SECRET=|ENCRYPTION_KEY=|DATABASE_URL=|TRILLET_API_KEY=/);
  });
});

describe("compose.yaml", () => {
  it("stops `compose up` with the name of each missing required secret", () => {
    for (const name of ["AUTH_SECRET", "ENCRYPTION_KEY", "POSTGRES_PASSWORD", "BATCHBOARD_DOMAIN"]) {
      const uses = [...compose.matchAll(new RegExp(`\\$\\{${name}([^}]*)\\}`, "g"))].map((m) => m[1]!);
      expect(uses.length, name).toBeGreaterThan(0);
      for (const use of uses) expect(use, `every use of ${name}`).toMatch(new RegExp(`^:\\?set ${name} `));
    }
  });

  it("binds PostgreSQL to the loopback interface only, on a volume", () => {
    const db = service("db");
    expect(db).toMatch(/- "127\.0\.0\.1:5432:5432"/);
    expect(db).toMatch(/- pgdata:\/var\/lib\/postgresql\/data/);
    // Nothing else publishes a port but the TLS proxy (the app instances only `expose` theirs).
    const published = [...compose.matchAll(/^ +ports:\n((?: +- .*\n)+)/gm)].flatMap((m) =>
      [...m[1]!.matchAll(/- "([^"]+)"/g)].map((p) => p[1]),
    );
    expect(published.sort()).toEqual(["127.0.0.1:5432:5432", "443:443", "80:80"]);
  });

  it("migrates once in a one-shot service, then starts two app instances that do not migrate", () => {
    const migrate = service("migrate");
    expect(migrate).toMatch(/command: \["npm", "run", "db:migrate"\]/);
    expect(migrate).toMatch(/target: tools/);
    expect(migrate).toMatch(/restart: "no"/);
    expect(service("app1")).toMatch(/<<: \*app/);
    expect(service("app2")).toMatch(/<<: \*app/);
    const app = /^x-app: &app\n((?: {2}.*\n|\s*\n)*)/m.exec(compose)![1]!;
    expect(app).toMatch(/target: runtime/);
    expect(app).toMatch(/MIGRATE_ON_START: "false"/);
    expect(app).toMatch(/condition: service_completed_successfully/);
    expect(app).toMatch(/PUBLIC_URL: https:\/\/\$\{BATCHBOARD_DOMAIN/);
    // Docker waits longer than the app's own shutdown bound before it kills.
    const grace = Number(/stop_grace_period: (\d+)s/.exec(app)![1]) * 1000;
    expect(grace).toBeGreaterThan(Number(/SHUTDOWN_TIMEOUT_MS: "(\d+)"/.exec(app)![1]));
  });

  it("puts Caddy in front, balancing the two instances on their readiness", () => {
    expect(service("caddy")).toMatch(/- \.\/Caddyfile:\/etc\/caddy\/Caddyfile:ro/);
    expect(caddyfile).toMatch(/reverse_proxy app1:3000 app2:3000/);
    expect(caddyfile).toMatch(/health_uri \/api\/ready/);
  });
});

describe(".dockerignore", () => {
  it("keeps local data, secrets and build output out of the build context", () => {
    const ignored = readFileSync(".dockerignore", "utf8").split("\n");
    for (const entry of [".env", ".data", "node_modules", ".next", ".git"]) expect(ignored).toContain(entry);
  });
});
