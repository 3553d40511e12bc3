import "server-only";

import { randomUUID } from "node:crypto";

import type { Database } from "../db";
import { notificationDeliveries } from "../db/schema";
import { channelTarget } from "./channels";
import { sendOnce, type AttemptResult } from "./deliver";
import { batchUrl, rates, type BatchEventPayload } from "./events";

// "Send test" in settings: one attempt now, straight to the channel (not through the outbox, so
// the admin sees the answer at once), recorded in the channel's delivery log like any attempt.

export function testPayload(channelId: string, workspace: { id: string; slug: string; name: string }): BatchEventPayload {
  const counts = { total: 120, waiting: 0, active: 0, completed: 96, failed: 24 };
  return {
    id: `test:${channelId}:${randomUUID()}`,
    type: "test",
    createdAt: new Date().toISOString(),
    workspace,
    batch: { id: "test-batch", label: "Test notification from Batchboard", url: batchUrl(workspace.slug, "test-batch") },
    counts,
    ...rates(counts),
    topFailureReasons: [
      { reason: "No answer", count: 14 },
      { reason: "Busy", count: 10 },
    ],
  };
}

export async function sendTest(
  db: Database,
  channelId: string,
  workspace: { id: string; slug: string; name: string },
  options: { timeoutMs: number; allowPrivate: boolean },
): Promise<AttemptResult | null> {
  const target = await channelTarget(db, channelId);
  if (!target) return null;
  const payload = testPayload(channelId, workspace);
  const result = await sendOnce(target, payload, options);
  await db.insert(notificationDeliveries).values({
    channelId,
    eventId: payload.id,
    eventType: "test",
    attempt: 1,
    outcome: result.ok ? "delivered" : "failed",
    statusCode: result.statusCode,
    error: result.error,
    durationMs: result.durationMs,
  });
  return result;
}
