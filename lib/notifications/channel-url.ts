import "server-only";

import { lookup } from "node:dns/promises";
import { isIP } from "node:net";

// The rules for a notification channel's URL. A channel URL is a secret (a Slack webhook URL is
// its own credential), so messages here never echo it. Batchboard posts to it from the server,
// so a URL must not reach into the server's own network: https to a public host, unless
// ALLOW_PRIVATE_URLS (local receivers, tests) also admits loopback and private hosts, over http too.
//
// Issue 13's lib/security/outbound-url.ts is meant to hold the shared version of these rules.

export type UrlCheck = { ok: true; url: URL; host: string } | { ok: false; error: string };

const MAX_LENGTH = 2_000;

/** Checks a URL typed for a channel (and again before each delivery). */
export function checkChannelUrl(raw: string, { allowPrivate }: { allowPrivate: boolean }): UrlCheck {
  const text = raw.trim();
  if (!text) return { ok: false, error: "Enter the webhook URL." };
  if (text.length > MAX_LENGTH) return { ok: false, error: "That URL is too long." };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, error: "Enter the webhook URL as https://host/path." };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { ok: false, error: "The webhook URL must start with https://." };
  if (url.username || url.password) return { ok: false, error: "The webhook URL can't contain a user name or password." };
  if (!url.hostname) return { ok: false, error: "Enter the webhook URL as https://host/path." };
  const internal = isPrivateHost(url.hostname);
  if (internal && !allowPrivate)
    return { ok: false, error: "The webhook URL must point to a public host, not a local or private address." };
  if (url.protocol === "http:" && !(allowPrivate && internal)) return { ok: false, error: "The webhook URL must start with https://." };
  return { ok: true, url, host: displayHost(url) };
}

/** What settings and logs show of a channel URL: its host (and port), never the path or query. */
export function displayHost(url: URL | string): string {
  try {
    return (typeof url === "string" ? new URL(url) : url).host;
  } catch {
    return "(invalid URL)";
  }
}

/**
 * Names and literal addresses that reach loopback, private, link-local or otherwise internal
 * networks (names: localhost, *.localhost, *.local, *.internal, and single-label intranet names).
 */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "");
  const family = isIP(host);
  if (family === 4) return isPrivateIPv4(host);
  if (family === 6) return isPrivateIPv6(host);
  if (host === "localhost" || host.endsWith(".localhost") || host.endsWith(".local") || host.endsWith(".internal")) return true;
  return !host.includes(".");
}

function isPrivateIPv4(address: string): boolean {
  const [a = 0, b = 0] = address.split(".").map(Number);
  return (
    a === 0 || // "this network"
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) || // carrier-grade NAT
    (a === 169 && b === 254) || // link-local (cloud metadata)
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0) || // IETF protocol assignments
    (a === 198 && (b === 18 || b === 19)) || // benchmarking
    a >= 224 // multicast, reserved, broadcast
  );
}

function isPrivateIPv6(address: string): boolean {
  if (address === "::" || address === "::1") return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (mapped) return isPrivateIPv4(mapped[1]!);
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(address);
  if (hex) {
    const high = parseInt(hex[1]!, 16);
    const low = parseInt(hex[2]!, 16);
    return isPrivateIPv4(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`);
  }
  const first = parseInt(address.split(":")[0] || "0", 16);
  return (
    (first & 0xfe00) === 0xfc00 || // unique local fc00::/7
    (first & 0xffc0) === 0xfe80 || // link-local fe80::/10
    (first & 0xff00) === 0xff00 // multicast
  );
}

/**
 * Before a delivery: the host's addresses as DNS gives them now, refused when one is internal
 * (a public name pointing at a private address). Best effort: fetch resolves the name again.
 */
export async function checkResolvedHost(hostname: string, { allowPrivate }: { allowPrivate: boolean }): Promise<string | null> {
  if (allowPrivate) return null;
  const host = hostname.replace(/^\[|\]$/g, "");
  if (isIP(host)) return isPrivateHost(host) ? "The host is a private address." : null;
  let addresses: { address: string }[];
  try {
    addresses = await lookup(host, { all: true });
  } catch {
    return "The host name could not be resolved.";
  }
  return addresses.some((a) => isPrivateHost(a.address)) ? "The host resolves to a private address." : null;
}
