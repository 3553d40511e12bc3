import "server-only";

import { lookup } from "node:dns/promises";
import { isIP } from "node:net";

import { isInternalHost, isPrivateAddress } from "../security/outbound-url";

// The rules for a notification channel's URL. A channel URL is a secret (a Slack webhook URL is
// its own credential), so messages here never echo it. Batchboard posts to it from the server,
// so a URL must not reach into the server's own network: https to a public host, unless
// ALLOW_PRIVATE_URLS (local receivers, tests) also admits loopback and private hosts, over http too.
// Which hosts are internal is lib/security/outbound-url.ts's rule, the same as for Trillet base URLs.

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
  const internal = isInternalHost(url.hostname);
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
 * Before a delivery: the host's addresses as DNS gives them now, refused when one is internal
 * (a public name pointing at a private address). Best effort: fetch resolves the name again.
 */
export async function checkResolvedHost(hostname: string, { allowPrivate }: { allowPrivate: boolean }): Promise<string | null> {
  if (allowPrivate) return null;
  const host = hostname.replace(/^\[|\]$/g, "");
  if (isIP(host)) return isPrivateAddress(host) ? "The host is a private address." : null;
  let addresses: { address: string }[];
  try {
    addresses = await lookup(host, { all: true });
  } catch {
    return "The host name could not be resolved.";
  }
  return addresses.some((a) => isPrivateAddress(a.address)) ? "The host resolves to a private address." : null;
}
