// Builds (when the sources changed since the last build) and starts the Next.js app's standalone
// server with STANDALONE_COMMAND, the command the container image runs. Shared by `npm run demo`,
// the end-to-end harness, the two-instance check (tests/integration/db-production.test.ts) and
// the benchmark.
import { spawnSync, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

import PinoPretty from "pino-pretty";

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
  /**
   * Echo the app's JSON log lines pretty-printed (the demo). The log file always gets them as
   * written. Done here rather than in the app: pino's transports run in worker threads, which
   * Next's bundles do not carry well, and production wants the JSON.
   */
  pretty?: boolean;
}): StartedApp {
  const child = spawnStandalone({ distDir: opts.distDir, port: opts.port, host: opts.host, env: opts.env });
  const log = opts.logFile ? createWriteStream(opts.logFile, { flags: "a" }) : undefined;
  const echo = opts.echo === false ? null : opts.pretty ? prettyEcho() : (chunk: Buffer) => process.stdout.write(chunk);
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on("data", (chunk: Buffer) => {
      echo?.(chunk);
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

/** Writes chunks of the app's output to stdout, JSON log lines pretty-printed, other lines as they are. */
function prettyEcho(): (chunk: Buffer) => void {
  const pretty = PinoPretty.prettyFactory({ colorize: process.stdout.isTTY, translateTime: "SYS:HH:MM:ss", ignore: "pid,hostname" });
  let partial = "";
  return (chunk) => {
    const lines = (partial + chunk.toString("utf8")).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      let parsed: unknown;
      try {
        parsed = line.startsWith("{") ? JSON.parse(line) : undefined;
      } catch {
        parsed = undefined;
      }
      process.stdout.write(parsed && typeof parsed === "object" && "level" in parsed ? pretty(parsed) : `${line}\n`);
    }
  };
}
