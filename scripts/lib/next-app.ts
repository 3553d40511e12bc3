// Builds (when the sources changed since the last build) and starts the Next.js app's standalone
// server with STANDALONE_COMMAND, the command the container image runs. Shared by `npm run demo`,
// the end-to-end harness, the two-instance check (tests/integration/db-production.test.ts) and
// the benchmark.
import { spawnSync, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { spawnStandalone, standaloneDir } from "./standalone.mjs";

const SOURCES = ["app", "components", "lib", "public", "next.config.mjs", "package.json", "proxy.ts", "instrumentation.ts"];

/** True when `distDir` holds a standalone build newer than every source. */
export function buildIsFresh(distDir: string): boolean {
  const buildId = path.join(distDir, "BUILD_ID");
  if (!existsSync(buildId) || !existsSync(path.join(standaloneDir(distDir), "server.js"))) return false;
  return statSync(buildId).mtimeMs > Math.max(...SOURCES.map(newestMtime));
}

function newestMtime(p: string): number {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const entry of readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

export function buildIfStale(distDir: string, env: NodeJS.ProcessEnv, force = false): void {
  if (!force && buildIsFresh(distDir)) {
    console.log(`Using the existing build in ${distDir}/ (sources unchanged).`);
    return;
  }
  console.log(`Building the app into ${distDir}/ (npm run build)...`);
  // The documented build command (docs/deployment.md, the Dockerfile), into `distDir`.
  const result = spawnSync("npm", ["run", "build"], {
    stdio: "inherit",
    env: { ...env, NEXT_DIST_DIR: distDir, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (result.status !== 0) throw new Error(`npm run build failed (exit ${result.status})`);
}

export interface StartedApp {
  child: ChildProcess;
  stop(): Promise<void>;
}

export function startNext(opts: {
  port: number;
  host?: string;
  distDir: string;
  env: NodeJS.ProcessEnv;
  logFile?: string;
  /** Echo the server's output here too (default true); a benchmark keeps it to the log file. */
  echo?: boolean;
}): StartedApp {
  const child = spawnStandalone({ distDir: opts.distDir, port: opts.port, host: opts.host, env: opts.env });
  const log = opts.logFile ? createWriteStream(opts.logFile, { flags: "a" }) : undefined;
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on("data", (chunk: Buffer) => {
      if (opts.echo !== false) process.stdout.write(chunk);
      log?.write(chunk);
    });
  }
  return {
    child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => {
          log?.end();
          resolve();
        });
        child.kill("SIGTERM");
      }),
  };
}
