import "server-only";

import http from "node:http";

import { logger, newRequestId, withLogContext } from "./log";
import { metrics } from "./metrics";
import { routeOf } from "./route-patterns";

// Every HTTP request this process serves, pages and route handlers alike, from one place: Next's
// server emits "request" on a node:http Server, and instrumentation.ts patches that emit once per
// process. Each request then
//   - runs inside a log context holding its request id, which everything it calls inherits
//     (AsyncLocalStorage): upstream retries, a page view's failed read, a throttled sign-in;
//   - answers with that id in `x-request-id`, so a user's report can be found in the log;
//   - is timed from arrival to the response's last byte or the connection closing, so a streamed
//     export counts its whole download, into batchboard_http_request_duration_seconds by route
//     pattern (never the raw path: ids would make one series per batch).
// proxy.ts could not do this: it runs before the page or handler and never sees the response end.

const PATCHED = Symbol.for("batchboard.observeHttp");

export function observeHttpServer(): void {
  const proto = http.Server.prototype as http.Server & { [PATCHED]?: boolean };
  if (proto[PATCHED]) return;
  proto[PATCHED] = true;
  const emit = proto.emit as (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean;
  proto.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
    if (event !== "request") return emit.call(this, event, ...args);
    const [req, res] = args as [http.IncomingMessage, http.ServerResponse];
    return observe(req, res, () => emit.call(this, event, ...args));
  } as typeof proto.emit;
}

function observe(req: http.IncomingMessage, res: http.ServerResponse, handle: () => boolean): boolean {
  const started = process.hrtime.bigint();
  const requestId = newRequestId();
  // Ours only: an id a client sends would let it pose as another request in the log.
  req.headers["x-request-id"] = requestId;
  if (!res.headersSent) res.setHeader("x-request-id", requestId);
  const method = req.method ?? "GET";
  const route = routeOf(pathOf(req.url));
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    // A connection closed before the response finished is a status the client never saw.
    const status = res.writableFinished ? String(res.statusCode) : "aborted";
    metrics().httpDuration.observe({ method, route, status }, seconds);
    logger().debug({ event: "http.request", requestId, method, route, status, ms: Math.round(seconds * 1000) }, "request");
  };
  res.once("finish", end);
  res.once("close", end);
  return withLogContext({ requestId }, handle);
}

function pathOf(url: string | undefined): string {
  const raw = (url ?? "/").split("?")[0] ?? "/";
  return raw.startsWith("/") ? raw : "/";
}
