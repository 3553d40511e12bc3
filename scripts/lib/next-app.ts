// Builds (when the sources changed since the last build) and starts the Next.js app. Shared by
// `npm run demo` and the end-to-end harness.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

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
}): StartedApp {
  const args = [NEXT_BIN, "start", "-p", String(opts.port)];
  if (opts.host) args.push("-H", opts.host);
  const child = spawn(process.execPath, args, {
    env: { ...opts.env, NEXT_DIST_DIR: opts.distDir, NEXT_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
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
