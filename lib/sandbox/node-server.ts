import "server-only";

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import type { Sandbox } from "./types";
import { MAX_UPLOAD_BYTES } from "./upload";

// node:http adapter: the sandbox speaks web Request/Response; this turns sockets into those.

export interface SandboxServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

// Trillet takes files up to 20 MB; the multipart framing around one adds a little.
const MAX_BODY_BYTES = MAX_UPLOAD_BYTES + 64 * 1024;

class BodyTooLarge extends Error {}
// Hop-by-hop and framing headers belong to this socket, not to the Request being rebuilt.
const SKIPPED_HEADERS = new Set(["connection", "keep-alive", "transfer-encoding", "content-length", "upgrade"]);

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        // Stop buffering but keep reading, so the client gets the 413 instead of a reset.
        if (chunks.length > 0) chunks.length = 0;
      } else chunks.push(chunk);
    });
    req.on("end", () => (size > MAX_BODY_BYTES ? reject(new BodyTooLarge()) : resolve(Buffer.concat(chunks))));
    req.on("error", reject);
  });
}

function toHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || SKIPPED_HEADERS.has(name)) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  return headers;
}

async function serve(sandbox: Sandbox, origin: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const controller = new AbortController();
  // "close" before the response finished means the client went away: tell the handler, so a
  // hanging (timeout fault) request lets go of its timer.
  res.on("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  try {
    const method = req.method ?? "GET";
    const body = method === "GET" || method === "HEAD" ? undefined : await readBody(req);
    const request = new Request(new URL(req.url ?? "/", origin), {
      method,
      headers: toHeaders(req),
      body: body && body.length > 0 ? new Uint8Array(body) : undefined,
      signal: controller.signal,
    });
    const response = await sandbox.handle(request);
    const payload = Buffer.from(await response.arrayBuffer());
    res.statusCode = response.status;
    response.headers.forEach((value, name) => res.setHeader(name, value));
    res.end(payload);
  } catch (error) {
    if (error instanceof BodyTooLarge && !res.headersSent) {
      res.statusCode = 413;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ error: "File too large", message: "The file is larger than 20 MB." }));
      return;
    }
    if (controller.signal.aborted || res.headersSent) {
      res.destroy();
      return;
    }
    res.statusCode = 500;
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ error: "Internal server error" }));
  }
}

/** Listens on host (default 127.0.0.1) and port (0 = any free port). */
export async function startSandboxServer(sandbox: Sandbox, opts: { port?: number; host?: string } = {}): Promise<SandboxServer> {
  const host = opts.host ?? "127.0.0.1";
  const urlHost = host.includes(":") ? `[${host}]` : host;
  let origin = `http://${urlHost}`;
  const server = createServer((req, res) => {
    void serve(sandbox, origin, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://${urlHost}:${port}`;
  return {
    url: origin,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Also drops keep-alive and hanging requests, which aborts their handlers.
        server.closeAllConnections();
      }),
  };
}
