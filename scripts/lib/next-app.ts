// Builds (when the sources changed since the last build) and starts the Next.js app. Shared by
// `npm run demo` and the end-to-end harness.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import PinoPretty from "pino-pretty";

// Run Next's CLI with this Node directly (not through npx) so that stopping us stops the server.
const NEXT_BIN = path.join("node_modules", "next", "dist", "bin", "next");

const SOURCES = ["app", "components", "lib", "public", "next.config.mjs", "package.json", "proxy.ts", "instrumentation.ts"];

function newestMtime(p: string): number {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const entry of readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

export function buildIfStale(distDir: string, env: NodeJS.ProcessEnv, force = false): void {
  const buildId = path.join(distDir, "BUILD_ID");
  const built = existsSync(buildId) ? statSync(buildId).mtimeMs : 0;
  const changed = Math.max(...SOURCES.map(newestMtime));
  if (!force && built > changed) {
    console.log(`Using the existing build in ${distDir}/ (sources unchanged).`);
    return;
  }
  console.log(`Building the app into ${distDir}/ (next build)...`);
  const result = spawnSync(process.execPath, [NEXT_BIN, "build"], {
    stdio: "inherit",
    env: { ...env, NEXT_DIST_DIR: distDir, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (result.status !== 0) throw new Error(`next build failed (exit ${result.status})`);
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
  const args = [NEXT_BIN, "start", "-p", String(opts.port)];
  if (opts.host) args.push("-H", opts.host);
  const child = spawn(process.execPath, args, {
    env: { ...opts.env, NEXT_DIST_DIR: opts.distDir, NEXT_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
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
