import "server-only";

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

// The generic webhook's signature: HMAC-SHA256 over `${timestamp}.${body}` with the channel's
// signing secret, sent as `Batchboard-Signature: t=<unix seconds>,v1=<hex>`. The timestamp is
// signed too, so a receiver that refuses old timestamps (REPLAY_WINDOW_S) refuses replays.
// docs/notifications.md shows a receiver's check; verifySignature is the same check.

export const SIGNATURE_HEADER = "Batchboard-Signature";
export const EVENT_ID_HEADER = "Batchboard-Event-Id";
export const EVENT_TYPE_HEADER = "Batchboard-Event-Type";
/** Receivers should refuse a signature older (or further in the future) than this. */
export const REPLAY_WINDOW_S = 300;

/** A new signing secret, shown once when a channel is created. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString("base64url")}`;
}

export function sign(secret: string, timestamp: number, body: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`, "utf8").digest("hex");
}

export function signatureHeader(secret: string, body: string, now = Date.now()): string {
  const t = Math.floor(now / 1000);
  return `t=${t},v1=${sign(secret, t, body)}`;
}

export type Verification = { ok: true; timestamp: number } | { ok: false; reason: "malformed" | "mismatch" | "expired" };

/** A receiver's check of a delivery: the header, the raw body as received, and the secret. */
export function verifySignature(
  header: string | null | undefined,
  body: string,
  secret: string,
  { now = Date.now(), toleranceS = REPLAY_WINDOW_S }: { now?: number; toleranceS?: number } = {},
): Verification {
  if (!header) return { ok: false, reason: "malformed" };
  const parts = new Map<string, string[]>();
  for (const item of header.split(",")) {
    const at = item.indexOf("=");
    if (at <= 0) continue;
    const key = item.slice(0, at).trim();
    parts.set(key, [...(parts.get(key) ?? []), item.slice(at + 1).trim()]);
  }
  const t = Number(parts.get("t")?.[0]);
  const signatures = parts.get("v1") ?? [];
  if (!Number.isInteger(t) || signatures.length === 0) return { ok: false, reason: "malformed" };
  const expected = Buffer.from(sign(secret, t, body), "hex");
  const matches = signatures.some((s) => {
    const given = Buffer.from(s, "hex");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) return { ok: false, reason: "mismatch" };
  if (Math.abs(Math.floor(now / 1000) - t) > toleranceS) return { ok: false, reason: "expired" };
  return { ok: true, timestamp: t };
}
