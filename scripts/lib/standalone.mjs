// The standalone server Next builds into <distDir>/standalone, and the one command that runs it.
// Plain JavaScript so `npm start` needs no TypeScript loader; the TypeScript harnesses (demo,
// end-to-end suite, two-instance check, benchmark) import it too, so all of them, and the
// container image (Dockerfile CMD), run exactly the same command.
import { spawn } from "node:child_process";
import { cpSync, existsSync, rmSync } from "node:fs";
import path from "node:path";

/** Run with the standalone folder as the working directory (server.js changes into it anyway). */
export const STANDALONE_COMMAND = ["node", "server.js"];

export function standaloneDir(distDir) {
  return path.join(distDir, "standalone");
}

/**
 * Completes a standalone build the way Next's docs say: the client assets (<distDir>/static) and
 * public/ are not copied by `next build`, so they are copied in here (npm run build's postbuild,
 * and every launcher before it starts the server). Throws when there is no standalone build.
 */
export function prepareStandalone(distDir, root = process.cwd()) {
  const dir = path.resolve(root, standaloneDir(distDir));
  if (!existsSync(path.join(dir, "server.js"))) {
    throw new Error(`No standalone build in ${path.relative(root, dir) || dir}: run npm run build first.`);
  }
  const staticTarget = path.join(dir, distDir, "static");
  rmSync(staticTarget, { recursive: true, force: true });
  cpSync(path.resolve(root, distDir, "static"), staticTarget, { recursive: true });
  if (existsSync(path.resolve(root, "public"))) {
    cpSync(path.resolve(root, "public"), path.join(dir, "public"), { recursive: true });
  }
  return dir;
}

/**
 * The server runs in its own folder, so relative data folders would land inside the build (and be
 * deleted by the next one): PGLITE_DIR and EXPORT_CACHE_DIR, given or defaulted, are made absolute
 * against the project folder `root`.
 */
export function standaloneEnv(env, root = process.cwd()) {
  const absolute = (value, fallback) => path.resolve(root, value || fallback);
  return {
    ...env,
    PGLITE_DIR: absolute(env.PGLITE_DIR, ".data/pglite"),
    EXPORT_CACHE_DIR: absolute(env.EXPORT_CACHE_DIR, ".data/export-cache"),
  };
}

/**
 * Starts `node server.js` in the standalone folder as a child process (Node being the same binary
 * as this one). HOSTNAME and PORT are what server.js reads for its listener.
 */
export function spawnStandalone({ distDir, port, host = "0.0.0.0", env, root = process.cwd() }) {
  const cwd = prepareStandalone(distDir, root);
  const [, ...args] = STANDALONE_COMMAND;
  return spawn(process.execPath, args, {
    cwd,
    env: { ...standaloneEnv(env, root), PORT: String(port), HOSTNAME: host, NEXT_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
}
