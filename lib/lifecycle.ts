import "server-only";

// One server instance's life after start-up: what the readiness check reports, and the graceful
// shutdown on SIGTERM/SIGINT. Kept on globalThis because Next loads instrumentation.ts and the
// route handlers as separate bundles, each with its own copy of this module.
//
// Shutdown, in order:
//   1. /api/ready answers 503 from this moment (a load balancer stops sending new work); new
//      exports are refused with a 503; pages keep being served.
//   2. The mirror worker stops claiming, aborts its slices and hands its sync jobs back (due at
//      once, so another instance resumes them); every streaming export is failed (its download
//      errors, never ends short looking complete) and lets go of its export slot and any sync job
//      its walk had taken over.
//   3. Next's own handler closes the listener, waits for the requests still running, and exits.
//   The whole sequence is bounded by SHUTDOWN_TIMEOUT_MS: past it the process exits with status 1.

/** Why a streaming export stopped when its instance shut down (said in the audit log). */
export class ShutdownError extends Error {
  override name = "ShutdownError";
  constructor() {
    super("The server restarted during the export, so the file stopped before its end. Download it again.");
  }
}

/**
 * Whether an error is the shutdown's. By name, not instanceof: the route handlers and
 * instrumentation.ts are separate bundles, each with its own ShutdownError class.
 */
export function isShutdownError(error: unknown): error is ShutdownError {
  return error instanceof Error && error.name === "ShutdownError";
}

interface Stoppable {
  /** Stops it and resolves once what it held is released. */
  stop(): Promise<void>;
}

interface RunningExport {
  /** Fails the download with this reason; resolves once its slot and leases are released. */
  stop(reason: ShutdownError): Promise<void>;
}

interface LifecycleState {
  draining: boolean;
  worker: Stoppable | null;
  workerStopped: boolean;
  notifier: Stoppable | null;
  exports: Set<RunningExport>;
  installed: boolean;
}

const holder = globalThis as typeof globalThis & { __batchboardLifecycle?: LifecycleState };
const state = (): LifecycleState =>
  (holder.__batchboardLifecycle ??= {
    draining: false,
    worker: null,
    workerStopped: false,
    notifier: null,
    exports: new Set(),
    installed: false,
  });

/** True from the moment a shutdown signal arrived. */
export function isDraining(): boolean {
  return state().draining;
}

/** The instance's mirror worker, stopped (and its claims handed back) on shutdown. */
export function setMirrorWorker(worker: Stoppable): void {
  const s = state();
  s.worker = worker;
  s.workerStopped = false;
}

/** The instance's notification worker, stopped on shutdown (its claimed deliveries handed back). */
export function setNotificationWorker(worker: Stoppable): void {
  state().notifier = worker;
}

/** Whether this instance's mirror worker was started and has not been stopped. */
export function mirrorWorkerRunning(): boolean {
  const s = state();
  return s.worker !== null && !s.workerStopped;
}

/** Registers a streaming export until it ends; returns the function that unregisters it. */
export function trackExport(running: RunningExport): () => void {
  const s = state();
  s.exports.add(running);
  return () => s.exports.delete(running);
}

/**
 * Steps 1 and 2 above: marks the instance draining, stops the mirror worker, fails the running
 * exports, and resolves once every claim is released (or failed to release, logged).
 */
export async function drain(log: (line: string) => void = console.log): Promise<void> {
  const s = state();
  s.draining = true;
  const worker = s.worker;
  const exports = [...s.exports];
  s.exports.clear();
  log(`[shutdown] draining: stopping the mirror and notification workers and ${exports.length} running export(s)`);
  const reason = new ShutdownError();
  await Promise.allSettled([
    worker
      ? worker.stop().finally(() => {
          s.workerStopped = true;
        })
      : Promise.resolve(),
    s.notifier ? s.notifier.stop() : Promise.resolve(),
    ...exports.map((e) => e.stop(reason)),
  ]);
  log("[shutdown] sync jobs and export slots released");
}

type SignalName = "SIGTERM" | "SIGINT";
type Handler = (signal: SignalName) => void;

/**
 * Owns SIGTERM and SIGINT for this process (instrumentation.ts calls it once the server is up).
 * Next's standalone server (next/dist/server/lib/start-server.js) registers its own handler before
 * it loads instrumentation: it closes the listener, waits for open requests and calls
 * process.exit. Run alongside ours it could exit before the claims are handed back, so its
 * handlers are taken off the signals and called after drain(); without them (a server that has
 * none) the process exits itself once drained.
 */
export function installShutdownHandlers(options: { timeoutMs: number; log?: (line: string) => void }): void {
  const s = state();
  if (s.installed) return;
  s.installed = true;
  const log = options.log ?? console.log;
  const next = new Map<SignalName, Handler[]>();
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    const theirs = process.listeners(signal) as Handler[];
    for (const listener of theirs) process.off(signal, listener);
    next.set(signal, theirs);
  }
  let started = false;
  const onSignal = (signal: SignalName) => {
    if (started) return;
    started = true;
    log(`[shutdown] ${signal} received; exiting within ${options.timeoutMs} ms`);
    const bound = setTimeout(() => {
      log(`[shutdown] still running after ${options.timeoutMs} ms (SHUTDOWN_TIMEOUT_MS): exiting now`);
      process.exit(1);
    }, options.timeoutMs);
    bound.unref();
    void drain(log)
      .catch((error: unknown) => log(`[shutdown] draining failed: ${error instanceof Error ? error.message : String(error)}`))
      .then(() => {
        const handlers = next.get(signal) ?? [];
        if (handlers.length === 0) process.exit(0);
        // Next's handler: stop accepting, finish the requests still running, then exit.
        for (const handler of handlers) handler(signal);
      });
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}
