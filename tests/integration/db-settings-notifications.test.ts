import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import { addNotificationChannel, removeNotificationChannel, sendTestNotification } from "@/app/settings/workspaces/notification-actions";
import { listAudit } from "@/lib/audit";
import type { AppUser } from "@/lib/auth/users";
import { notificationChannels } from "@/lib/db/schema";
import { listChannels, recentDeliveries } from "@/lib/notifications/channels";
import { verifySignature } from "@/lib/notifications/signature";

import { createAdmin, createMember, createTestWorkspace } from "../support/factories";
import { db, setUpDatabase } from "../support/harness";
import { startReceiver, type Receiver } from "../support/receiver";
import { form, signedInAs } from "../support/request";

// The notification settings' server actions against a real database and a receiver on 127.0.0.1,
// with the session and request stubbed. The channel URL (its path is the secret) and the signing
// secret must never come back out of an action other than the secret's one showing, nor reach the audit.
vi.hoisted(() => {
  // Loopback receivers are allowed only with this setting (read once by lib/env.ts).
  process.env.ALLOW_PRIVATE_URLS = "true";
  // forbidden() runs only with Next's authInterrupts flag, as next.config.mjs sets it.
  process.env.__NEXT_EXPERIMENTAL_AUTH_INTERRUPTS = "true";
});
// The session and request stubbed (tests/support/request.ts).
vi.mock("@/lib/auth/guards", () => import("../support/request").then((m) => m.guards));
// The recent-sign-in rule for admin changes is the access sweep's to test; here the admin is fresh.
vi.mock("@/lib/auth/fresh-sign-in", () => import("../support/request").then((m) => m.freshSignIn));
vi.mock("next/headers", () => import("../support/request").then((m) => m.nextHeaders));
vi.mock("next/cache", () => import("../support/request").then((m) => m.nextCache));

setUpDatabase();
let receiver: Receiver;
let admin: AppUser;
let ws: string;
let slug: string;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
});
// Each test: a workspace of its own (its own channels), signed in as an admin, a quiet receiver.
beforeEach(async () => {
  admin = await createAdmin(db);
  signedInAs(admin);
  ({ id: ws, slug } = await createTestWorkspace(db, { baseUrl: "https://api.trillet.ai", apiKey: "sk_live_00000000" }));
  receiver.reset();
});

const SECRET_PATH = "/hooks/team-7/tok_9f8e7d6c";
const valid = () => ({
  workspaceId: ws,
  kind: "webhook",
  url: `${receiver.url}${SECRET_PATH}`,
  events: ["batch.finished", "batch.stalled"],
  failureRatePercent: "25",
  minFinishedCalls: "40",
  stallMinutes: "10",
});

describe("notification settings actions", () => {
  it("adds a signed webhook, shows its secret once and its host only, and audits it without the URL", async () => {
    const result = await addNotificationChannel(null, form(valid()));
    expect(result).toMatchObject({ ok: true, data: { host: receiver.url.slice("http://".length) } });
    const secret = result?.ok ? result.data.signingSecret : null;
    expect(secret).toMatch(/^whsec_/);
    expect(JSON.stringify(result)).not.toContain("tok_9f8e7d6c");
    const [channel] = await listChannels(db, ws);
    expect(channel).toMatchObject({
      kind: "webhook",
      events: ["batch.finished", "batch.stalled"],
      failureRatePercent: 25,
      minFinishedCalls: 40,
      stallMinutes: 10,
    });
    const [stored] = await db.select().from(notificationChannels);
    expect(JSON.stringify(stored)).not.toMatch(/tok_9f8e7d6c|whsec_/);
    const [audit] = (await listAudit(db, 1, 1)).rows;
    expect(audit).toMatchObject({ action: "notification.channel_added", target: slug, detail: { kind: "webhook", host: channel!.host } });
    expect(JSON.stringify(audit)).not.toMatch(/tok_9f8e7d6c|whsec_/);

    // "Send test": one signed POST now, recorded in the channel's log and the audit.
    const sent = await sendTestNotification(null, form({ workspaceId: ws, channelId: channel!.id }));
    expect(sent).toMatchObject({ ok: true, data: { delivered: true } });
    const [received] = receiver.received;
    expect(received!.path).toBe(SECRET_PATH);
    expect(verifySignature(received!.headers["batchboard-signature"] as string, received!.body, secret!).ok).toBe(true);
    expect(JSON.parse(received!.body)).toMatchObject({ type: "test", workspace: { slug } });
    expect((await recentDeliveries(db, [channel!.id])).get(channel!.id)).toMatchObject([
      { eventType: "test", outcome: "delivered", statusCode: 200 },
    ]);
    expect((await listAudit(db, 1, 1)).rows[0]).toMatchObject({
      action: "notification.test_sent",
      detail: { delivered: true, statusCode: 200 },
    });

    // A failing receiver: the test says so, and the log keeps the status.
    receiver.script(500);
    const refused = await sendTestNotification(null, form({ workspaceId: ws, channelId: channel!.id }));
    expect(refused).toMatchObject({ ok: true, data: { delivered: false } });
    expect(refused?.ok && refused.message).toContain("HTTP 500");

    const removed = await removeNotificationChannel(null, form({ workspaceId: ws, channelId: channel!.id }));
    expect(removed).toMatchObject({ ok: true });
    expect(await listChannels(db, ws)).toEqual([]);
    expect((await listAudit(db, 1, 1)).rows[0]).toMatchObject({ action: "notification.channel_removed", target: slug });
    expect(await removeNotificationChannel(null, form({ workspaceId: ws, channelId: channel!.id }))).toEqual({
      ok: false,
      error: "That channel no longer exists. Reload the page.",
    });
  });

  it("adds a Slack channel without a signing secret", async () => {
    const result = await addNotificationChannel(
      null,
      form({ ...valid(), kind: "slack", url: "https://hooks.slack.com/services/T0/B0/abc" }),
    );
    expect(result).toMatchObject({ ok: true, data: { host: "hooks.slack.com", signingSecret: null } });
  });

  it("answers bad input with a message and creates nothing", async () => {
    const before = (await listChannels(db, ws)).length;
    const cases: [Record<string, string | string[]>, RegExp][] = [
      [{ url: "http://example.com/hook" }, /https/],
      [{ url: "ftp://example.com/hook" }, /https/],
      [{ url: "not a url" }, /https:\/\/host/],
      [{ url: "https://user:pw@example.com/x" }, /user name or password/],
      [{ url: "" }, /Enter the webhook URL/],
      [{ events: [] }, /at least one event/],
      [{ events: ["batch.deleted"] }, /events from the list/],
      [{ kind: "email" }, /Slack or a signed webhook/],
      [{ failureRatePercent: "0" }, /at least 1/],
      [{ failureRatePercent: "150" }, /at most 100/],
      [{ minFinishedCalls: "abc" }, /as a number/],
      [{ stallMinutes: "2.5" }, /whole number/],
      [{ workspaceId: "not-a-uuid" }, /no longer exists/],
      [{ workspaceId: "00000000-0000-4000-8000-000000000000" }, /no longer exists/],
    ];
    for (const [change, message] of cases) {
      const result = await addNotificationChannel(null, form({ ...valid(), ...change }));
      expect(result, JSON.stringify(change)).toMatchObject({ ok: false, error: expect.stringMatching(message) });
      expect(JSON.stringify(result)).not.toContain("example.com/hook");
    }
    expect(await listChannels(db, ws)).toHaveLength(before);
  });

  it("refuses everyone but a signed-in admin", async () => {
    signedInAs(null);
    const toSignIn = { digest: expect.stringContaining(";/login;") };
    await expect(addNotificationChannel(null, form(valid()))).rejects.toMatchObject(toSignIn);
    await expect(sendTestNotification(null, form({ workspaceId: ws, channelId: ws }))).rejects.toMatchObject(toSignIn);
    await expect(removeNotificationChannel(null, form({ workspaceId: ws, channelId: ws }))).rejects.toMatchObject(toSignIn);
    // A member is refused too (403), whatever the form says.
    signedInAs(await createMember(db));
    await expect(sendTestNotification(null, form({ workspaceId: ws, channelId: ws }))).rejects.toMatchObject({
      digest: "NEXT_HTTP_ERROR_FALLBACK;403",
    });
  });
});
