import "server-only";

import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

/*
 * The one rule for URLs Batchboard sends requests (and secrets) to: a workspace's Trillet base
 * URL, its "Test connection", and later the notification webhooks.
 *
 *  - https only; no user:password@ in the URL.
 *  - The host must not be loopback, private, link-local, carrier-grade NAT, unspecified, multicast
 *    or reserved: IPv4 and IPv6 literals (IPv4-mapped and NAT64 forms included), internal names
 *    (`localhost`, `*.localhost`, `*.local`, `*.internal`, single-label names), and, before each
 *    request, every address the host name resolves to.
 *  - ALLOW_PRIVATE_URLS=true (for the sandbox on http://127.0.0.1 in the demo and tests) permits
 *    exactly those private hosts, over http or https. A public host still needs https.
 *
 * Requests themselves never follow redirects (`redirect: "error"`), so a checked URL cannot hand
 * the API key to another host. Names are resolved just before connecting, not by the connection
 * itself: a DNS answer that changes in between (rebinding) is not caught; the literal and
 * localhost checks do not depend on DNS.
 */

const PRIVATE = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  PRIVATE.addSubnet(net, bits, "ipv4");
}
for (const [net, bits] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["fec0::", 10],
  ["ff00::", 8],
] as const) {
  PRIVATE.addSubnet(net, bits, "ipv6");
}

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::a.b.c.d) IPv6 address. */
function embeddedIpv4(v6: string): string | null {
  const lower = v6.toLowerCase();
  const m = /^(?:::ffff:|64:ff9b::)(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/.exec(lower);
  if (!m) return null;
  if (m[1]) return m[1];
  const hi = parseInt(m[2]!, 16);
  const lo = parseInt(m[3]!, 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join(".");
}

/** True for an address no public service lives at (see the list above). */
export function isPrivateAddress(address: string): boolean {
  const kind = isIP(address);
  if (kind === 4) return PRIVATE.check(address, "ipv4");
  if (kind === 6) {
    const v4 = embeddedIpv4(address);
    return v4 ? PRIVATE.check(v4, "ipv4") : PRIVATE.check(address, "ipv6");
  }
  return false;
}

function hostOf(url: URL): string {
  // URL keeps IPv6 literals in brackets and may keep a trailing dot ("localhost.").
  return url.hostname
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "")
    .toLowerCase();
}

/** Names that lead into the server's own networks: localhost, *.localhost, mDNS *.local, *.internal, single-label intranet names. */
function isInternalName(host: string): boolean {
  return (
    host === "localhost" || host.endsWith(".localhost") || host.endsWith(".local") || host.endsWith(".internal") || !host.includes(".")
  );
}

/**
 * True for a URL's host (as `URL.hostname` gives it) that is a private address or an internal
 * name. The one rule for every URL Batchboard sends to: Trillet base URLs and notification channels.
 */
export function isInternalHost(hostname: string): boolean {
  const host = hostOf({ hostname } as URL);
  return isIP(host) ? isPrivateAddress(host) : isInternalName(host);
}

export interface OutboundOptions {
  /** ALLOW_PRIVATE_URLS: private hosts allowed, over http or https. */
  allowPrivate: boolean;
}

export type OutboundVerdict = { ok: true; url: URL } | { ok: false; message: string };

const PRIVATE_REFUSED =
  "That address is on a private or local network, which Batchboard does not connect to (an administrator can allow it with ALLOW_PRIVATE_URLS).";

/** Checks a URL's form and host without DNS (what a form can check as it is submitted). */
export function checkOutboundUrl(raw: string, options: OutboundOptions): OutboundVerdict {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, message: "Enter a full URL, like https://api.trillet.ai." };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { ok: false, message: "The URL must start with https://." };
  if (url.username || url.password) return { ok: false, message: "The URL can't contain a user name or password." };
  const local = isInternalHost(url.hostname);
  if (local && !options.allowPrivate) return { ok: false, message: PRIVATE_REFUSED };
  if (url.protocol === "http:" && !local) return { ok: false, message: "The URL must start with https://." };
  return { ok: true, url };
}

export class OutboundUrlError extends Error {
  override name = "OutboundUrlError";
}

type Resolver = (host: string) => Promise<string[]>;
const systemResolver: Resolver = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

const verdicts = new Map<string, { until: number; problem: string | null }>();
const VERDICT_TTL_MS = 30_000;

/**
 * The full check before a request: the form rule, then (for a host name, unless private hosts
 * are allowed) every address it resolves to must be public. Throws OutboundUrlError with a
 * message fit for the user; a name that does not resolve is left to the request to report.
 */
export async function assertOutboundUrl(raw: string, options: OutboundOptions, resolve: Resolver = systemResolver): Promise<URL> {
  const verdict = checkOutboundUrl(raw, options);
  if (!verdict.ok) throw new OutboundUrlError(verdict.message);
  const host = hostOf(verdict.url);
  if (options.allowPrivate || isIP(host)) return verdict.url;
  const now = Date.now();
  let known = resolve === systemResolver ? verdicts.get(host) : undefined;
  if (!known || known.until <= now) {
    let addresses: string[] = [];
    try {
      addresses = await resolve(host);
    } catch {
      return verdict.url;
    }
    known = { until: now + VERDICT_TTL_MS, problem: addresses.some(isPrivateAddress) ? PRIVATE_REFUSED : null };
    if (resolve === systemResolver) {
      if (verdicts.size > 1_000) verdicts.clear();
      verdicts.set(host, known);
    }
  }
  if (known.problem) throw new OutboundUrlError(known.problem);
  return verdict.url;
}
