import { describe, expect, it } from "vitest";

import { checkChannelUrl, checkResolvedHost, displayHost } from "@/lib/notifications/channel-url";
import { isInternalHost } from "@/lib/security/outbound-url";

const strict = { allowPrivate: false };
const loose = { allowPrivate: true };

describe("notification channel URLs", () => {
  it("accepts https to a public host and shows only its host", () => {
    const check = checkChannelUrl(" https://hooks.slack.com/services/T000/B000/secretpart?x=1 ", strict);
    expect(check).toMatchObject({ ok: true, host: "hooks.slack.com" });
    expect(displayHost("https://example.com:8443/a/b?c=d#e")).toBe("example.com:8443");
  });

  it("refuses http, other schemes, credentials in the URL and garbage, never echoing the URL", () => {
    for (const url of [
      "http://example.com/hook",
      "ftp://example.com/x",
      "javascript:alert(1)",
      "file:///etc/passwd",
      "https://user:pw@example.com/h",
      "not a url",
      "",
      "https://" + "a".repeat(2_000) + ".com",
    ]) {
      const check = checkChannelUrl(url, strict);
      expect(check.ok, url).toBe(false);
      if (!check.ok && url.length > 3) expect(check.error).not.toContain(url);
    }
  });

  it("refuses loopback and private hosts unless allowed, and then admits them over http too", () => {
    for (const url of [
      "https://127.0.0.1/x",
      "https://localhost:8080/x",
      "https://api.localhost/x",
      "https://10.1.2.3/x",
      "https://172.16.0.1/x",
      "https://192.168.1.10/x",
      "https://169.254.169.254/latest/meta-data",
      "https://[::1]/x",
      "https://[fd00::1]/x",
      "https://[fe80::1]/x",
      "https://[::ffff:127.0.0.1]/x",
      "https://[64:ff9b::10.0.0.1]/x", // NAT64 form of a private address
      "https://0.0.0.0/x",
      "https://printer.local/x",
      "https://intranet/x",
    ]) {
      expect(checkChannelUrl(url, strict).ok, url).toBe(false);
      expect(checkChannelUrl(url, loose).ok, url).toBe(true);
    }
    expect(checkChannelUrl("http://127.0.0.1:4567/hook", loose)).toMatchObject({ ok: true, host: "127.0.0.1:4567" });
    // The setting admits private hosts, not plain http to the internet.
    expect(checkChannelUrl("http://example.com/hook", loose).ok).toBe(false);
  });

  it("classifies addresses", () => {
    expect(isInternalHost("8.8.8.8")).toBe(false);
    expect(isInternalHost("172.32.0.1")).toBe(false);
    expect(isInternalHost("100.64.0.1")).toBe(true);
    expect(isInternalHost("2606:4700::1111")).toBe(false);
    expect(isInternalHost("example.com")).toBe(false);
  });

  it("refuses a host whose address is private at send time", async () => {
    expect(await checkResolvedHost("127.0.0.1", strict)).toMatch(/private/);
    expect(await checkResolvedHost("localhost", strict)).toMatch(/private/);
    expect(await checkResolvedHost("localhost", loose)).toBeNull();
    expect(await checkResolvedHost("93.184.215.14", strict)).toBeNull();
  });
});
