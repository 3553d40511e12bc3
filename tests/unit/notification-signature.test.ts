import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

import { describe, expect, it } from "vitest";

import { newSigningSecret, REPLAY_WINDOW_S, sign, signatureHeader, verifySignature } from "@/lib/notifications/signature";

const secret = "whsec_test_secret_value";
const body = JSON.stringify({ id: "batch.finished:w:b", type: "batch.finished", counts: { total: 3 } });
const now = Date.UTC(2026, 10, 30, 12, 0, 0);

describe("webhook signatures", () => {
  it("signs `${t}.${body}` with HMAC-SHA256, as docs/notifications.md tells receivers to check", () => {
    const header = signatureHeader(secret, body, now);
    const t = Math.floor(now / 1000);
    const expected = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
    expect(header).toBe(`t=${t},v1=${expected}`);
    expect(sign(secret, t, body)).toBe(expected);
  });

  it("verifies a genuine delivery", () => {
    expect(verifySignature(signatureHeader(secret, body, now), body, secret, { now })).toEqual({
      ok: true,
      timestamp: Math.floor(now / 1000),
    });
  });

  it("refuses a changed body, another secret, or a moved timestamp", () => {
    const header = signatureHeader(secret, body, now);
    expect(verifySignature(header, body.replace("3", "4"), secret, { now })).toEqual({ ok: false, reason: "mismatch" });
    expect(verifySignature(header, body, "whsec_other", { now })).toEqual({ ok: false, reason: "mismatch" });
    const moved = header.replace(/t=(\d+)/, (_, t: string) => `t=${Number(t) + 1}`);
    expect(verifySignature(moved, body, secret, { now })).toEqual({ ok: false, reason: "mismatch" });
  });

  it("refuses a replay outside the window, in either direction", () => {
    const header = signatureHeader(secret, body, now);
    expect(verifySignature(header, body, secret, { now: now + REPLAY_WINDOW_S * 1000 }).ok).toBe(true);
    expect(verifySignature(header, body, secret, { now: now + (REPLAY_WINDOW_S + 1) * 1000 })).toEqual({ ok: false, reason: "expired" });
    expect(verifySignature(header, body, secret, { now: now - (REPLAY_WINDOW_S + 1) * 1000 })).toEqual({ ok: false, reason: "expired" });
  });

  it("refuses malformed headers and accepts any matching v1 among several (secret rotation)", () => {
    for (const header of [null, "", "v1=abc", "t=abc,v1=00", "t=1700000000"]) {
      expect(verifySignature(header, body, secret, { now })).toEqual({ ok: false, reason: "malformed" });
    }
    const good = signatureHeader(secret, body, now);
    const t = Math.floor(now / 1000);
    expect(verifySignature(`t=${t},v1=${"0".repeat(64)},${good.split(",")[1]}`, body, secret, { now }).ok).toBe(true);
    expect(verifySignature(`t=${t},v1=zz`, body, secret, { now })).toEqual({ ok: false, reason: "mismatch" });
  });

  it("makes a new random secret each time", () => {
    const a = newSigningSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(newSigningSecret()).not.toBe(a);
  });
});

describe("the verification snippet in docs/notifications.md", () => {
  it("accepts Batchboard's signatures and refuses tampering, other secrets and replays", async () => {
    const doc = readFileSync(path.join(process.cwd(), "docs", "notifications.md"), "utf8");
    const code = /```js\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(code).toContain("export function verifyBatchboard");
    const file = path.join(mkdtempSync(path.join(tmpdir(), "snippet-")), "verify.mjs");
    writeFileSync(file, code!);
    const { verifyBatchboard } = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as {
      verifyBatchboard: (header: string | null, body: string, secret: string, nowMs?: number) => boolean;
    };
    const header = signatureHeader(secret, body, now);
    expect(verifyBatchboard(header, body, secret, now)).toBe(true);
    expect(verifyBatchboard(header, `${body} `, secret, now)).toBe(false);
    expect(verifyBatchboard(header, body, "whsec_other", now)).toBe(false);
    expect(verifyBatchboard(header, body, secret, now + (REPLAY_WINDOW_S + 1) * 1000)).toBe(false);
    expect(verifyBatchboard(null, body, secret, now)).toBe(false);
  });
});
