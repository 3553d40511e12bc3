import "server-only";

import { randomBytes } from "node:crypto";
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import { isIP } from "node:net";

/*
 * Which address is the client's?
 *
 * Next.js (16) does not give a route handler, a server action or Auth.js's authorize() the TCP
 * peer's address. It only sets `X-Forwarded-For` to the socket address when the request has NO
 * such header (`req.headers['x-forwarded-for'] ??= socket.remoteAddress` in next/dist/server/
 * base-server.js): a client that sends its own `X-Forwarded-For` replaces its address with any
 * text it likes, and nothing downstream can tell.
 *
 * So the server records the peer itself: `installPeerAddressHeader()` (called from
 * instrumentation.ts, in the process that owns the HTTP server for `next start` and the
 * standalone server.js) wraps the `request` event of Node's HTTP(S) servers and writes the
 * socket's remote address into PEER_HEADER, together with a random per-process secret, before
 * Next sees the request. A client cannot forge it (it does not know the secret; any header it
 * sends under that name is overwritten). A request that arrives before the hook is installed
 * (the first moments of start-up) has no peer: it counts as the address "unknown".
 *
 * With TRUSTED_PROXIES = N > 0, the chain is X-Forwarded-For followed by the peer, and the client
 * is the (N+1)-th entry from the right: the N-th from the right of X-Forwarded-For, the entry
 * the outermost of our N proxies wrote. Entries further left were written by the client.
 */

export const PEER_HEADER = "x-batchboard-peer";

const holder = globalThis as typeof globalThis & { __batchboardPeerSecret?: string; __batchboardPeerHooked?: boolean };

function secret(): string {
  holder.__batchboardPeerSecret ??= randomBytes(18).toString("base64url");
  return holder.__batchboardPeerSecret;
}

/** The value the stamp gives a request from `address` (tests that stand in for the server use it). */
export function peerHeaderValue(address: string): string {
  return `${secret()} ${address}`;
}

/** Stamps `req` with its socket's remote address (overwriting anything the client sent). */
export function stampPeer(req: IncomingMessage): void {
  const address = req.socket?.remoteAddress;
  req.headers[PEER_HEADER] = peerHeaderValue(address ?? "unknown");
}

/** Installs the stamp on every HTTP and HTTPS server of this process (once). */
export function installPeerAddressHeader(): void {
  if (holder.__batchboardPeerHooked) return;
  holder.__batchboardPeerHooked = true;
  for (const proto of [http.Server.prototype, https.Server.prototype] as {
    emit: (event: string | symbol, ...args: unknown[]) => boolean;
  }[]) {
    const original = proto.emit;
    proto.emit = function (this: unknown, event: string | symbol, ...args: unknown[]) {
      if (event === "request" && args[0]) stampPeer(args[0] as IncomingMessage);
      return original.call(this, event, ...args);
    };
  }
}

/** The peer address stamped on these headers by this process, or null. */
export function peerAddress(headers: Pick<Headers, "get">): string | null {
  const value = headers.get(PEER_HEADER);
  if (!value) return null;
  const space = value.indexOf(" ");
  if (space < 0 || value.slice(0, space) !== secret()) return null;
  const address = value.slice(space + 1);
  return address === "unknown" ? null : normaliseAddress(address);
}

export function normaliseAddress(raw: string): string | null {
  let a = raw.trim();
  // "[2001:db8::1]:443" or "203.0.113.9:5123" as some proxies write them.
  const bracket = /^\[([^\]]+)\](?::\d+)?$/.exec(a);
  if (bracket) a = bracket[1]!;
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(a)) a = a.slice(0, a.lastIndexOf(":"));
  if (a.toLowerCase().startsWith("::ffff:") && isIP(a.slice(7)) === 4) a = a.slice(7);
  return isIP(a) ? a.toLowerCase() : null;
}

/** The client's address by the TRUSTED_PROXIES rule above; null when it cannot be known. */
export function clientAddress(headers: Pick<Headers, "get">, trustedProxies: number): string | null {
  const peer = peerAddress(headers);
  if (trustedProxies === 0) return peer;
  const forwarded = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  // Next writes the socket address as X-Forwarded-For when there is none: then it is the peer.
  const chain = peer ? [...forwarded, peer] : forwarded;
  if (chain.length === 0) return null;
  // Fewer entries than proxies: the request did not pass all of them; take the furthest known.
  const entry = chain[Math.max(0, chain.length - 1 - trustedProxies)]!;
  return normaliseAddress(entry);
}

/** The key a client address is throttled under: IPv6 clients by their /64 (one subscriber's block). */
export function throttleAddress(address: string | null): string | null {
  if (!address || isIP(address) !== 6) return address;
  const [head = "", tail = ""] = address.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = address.includes("::") ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}
