import "server-only";

import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";

import pino, { type DestinationStream, type Logger } from "pino";

import { env } from "./env";

// The app's one logger: JSON lines on stdout, one root per process, with a child per request or
// job that carries its context (requestId, workspace, batch, exportId). `npm run demo` pretty-
// prints these lines in its own process (scripts/lib/next-app.ts): no transport (worker thread)
// runs inside Next's bundles.
//
// Context travels through AsyncLocalStorage: lib/observe-http.ts runs each HTTP request inside a
// context holding its request id, and jobs (mirror syncs) open their own with withLogContext.
// Work that outlives the call that started it (an export's stream, pulled by the client) passes
// its child logger explicitly instead, since what pulls a stream is not what created it.
//
// What never reaches a line: fields named like secrets or call data are censored (REDACT), an
// error keeps only its name, code, kind, status, first message line and stack frames (errSerializer),
// and anything phone-like left in the finished line is masked (scrubLine): the mirror's database
// errors quote the rows they were writing, and those rows hold phone numbers.

export type { Logger };

const CENSOR = "[redacted]";

/** Field names censored wherever they appear, one or two levels deep (pino's fast-redact paths). */
const SECRET_KEYS = [
  "apiKey",
  "api_key",
  "authorization",
  "cookie",
  "cookies",
  "set-cookie",
  "password",
  "passwordHash",
  "currentPassword",
  "newPassword",
  "token",
  "accessToken",
  "refreshToken",
  "idToken",
  "secret",
  "clientSecret",
  "trilletWorkspaceId",
  "x-api-key",
  "x-workspace-id",
  "phone",
  "phoneNumber",
  "to",
  "from",
  "calls",
  "metadata",
];

export const REDACT_PATHS = SECRET_KEYS.flatMap((key) => {
  const prop = /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `["${key}"]`;
  return [prop.slice(prop.startsWith(".") ? 1 : 0), `*${prop}`, `*.*${prop}`];
});

/** A phone number as Trillet and the sandbox write them (+15550001234), with optional separators. */
const PHONE = /\+\d[\d ().-]{6,18}\d/g;

export function scrubLine(line: string): string {
  return line.replace(PHONE, "[phone]");
}

interface SerializedError {
  type: string;
  message: string;
  code?: string;
  kind?: string;
  status?: number;
  stack?: string;
  cause?: SerializedError;
}

/**
 * An error as it may be logged: never its other properties (a database error's `detail` and
 * `parameters`, a query's params) and only the first line of its message (drizzle's "Failed
 * query: ...\nparams: ..." puts the row after the first line).
 */
export function errSerializer(error: unknown, depth = 0): SerializedError {
  if (!(error instanceof Error) && (typeof error !== "object" || error === null)) {
    return { type: typeof error, message: scrubLine(String(error).split("\n")[0]!.slice(0, 300)) };
  }
  const e = error as Error & { code?: unknown; kind?: unknown; status?: unknown; cause?: unknown };
  const out: SerializedError = {
    type: typeof e.name === "string" ? e.name : "Error",
    message: scrubLine(
      String(e.message ?? "")
        .split("\n")[0]!
        .slice(0, 300),
    ),
  };
  if (typeof e.code === "string" || typeof e.code === "number") out.code = String(e.code);
  if (typeof e.kind === "string") out.kind = e.kind;
  if (typeof e.status === "number") out.status = e.status;
  // Where our own code failed; an upstream failure (it has a kind) is a fixed sentence, no trace.
  if (typeof e.stack === "string" && out.kind === undefined) {
    const frames = e.stack
      .split("\n")
      .filter((l) => /^\s+at /.test(l))
      .slice(0, 12);
    if (frames.length) out.stack = frames.map((l) => l.trim()).join("\n");
  }
  if (e.cause !== undefined && depth < 2) out.cause = errSerializer(e.cause, depth + 1);
  return out;
}

interface Holder {
  root: Logger;
  context: AsyncLocalStorage<{ logger: Logger }>;
}

const KEY = Symbol.for("batchboard.log");

function createRoot(destination?: DestinationStream, level: string = env.LOG_LEVEL): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: CENSOR },
      serializers: { err: errSerializer, error: errSerializer, cause: errSerializer },
      hooks: { streamWrite: scrubLine },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

// Next bundles pages, route handlers and instrumentation separately, each with its copy of this
// module: the root and the context store live on globalThis so there is one of each per process.
function holder(): Holder {
  const g = globalThis as typeof globalThis & { [KEY]?: Holder };
  return (g[KEY] ??= { root: createRoot(), context: new AsyncLocalStorage() });
}

/** The logger of the current request or job (its context fields bound), else the root. */
export function logger(): Logger {
  const h = holder();
  return h.context.getStore()?.logger ?? h.root;
}

/** Runs `fn` with a child logger carrying `fields` (added to the current context's). */
export function withLogContext<T>(fields: Record<string, unknown>, fn: () => T): T {
  return holder().context.run({ logger: logger().child(fields) }, fn);
}

/**
 * Adds fields to the current request's or job's context (a page learning its workspace and
 * batch). Outside any context it does nothing: the root is never changed.
 */
export function addLogContext(fields: Record<string, unknown>): void {
  const store = holder().context.getStore();
  if (store) store.logger = store.logger.child(fields);
}

/** A fresh request id: short enough to read aloud from an error page, unique enough per day. */
export function newRequestId(): string {
  return randomUUID().replaceAll("-", "").slice(0, 16);
}

/** Tests: send every later line to `destination`, from `level` up (still redacted and scrubbed). */
export function setLogDestination(destination: DestinationStream, level: string = env.LOG_LEVEL): void {
  holder().root = createRoot(destination, level);
}
