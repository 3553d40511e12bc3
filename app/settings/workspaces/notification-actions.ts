"use server";

import { eq } from "drizzle-orm";
import { revalidatePath } from "next/cache";
import { z } from "zod";

import { failed, succeeded, type ActionResult } from "@/components/settings/action-result";
import { recordAudit, recordAuditEvent } from "@/lib/audit";
import { withAction } from "@/lib/auth/action";
import { currentRequestInfo } from "@/lib/auth/request-info";
import { getDb, type Database } from "@/lib/db";
import { workspaces } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { createChannel, findChannel, removeChannel } from "@/lib/notifications/channels";
import { sendTest } from "@/lib/notifications/test-send";

import { channelInput, channelRef, type AddedChannel } from "./notification-input";

// Notification channels of a workspace (admins only). The URL and the signing secret go from the
// parsed form into the sealed columns; results, audit details and logs carry the host only. The
// signing secret comes back once, in the result of the add.

const GONE = "That workspace no longer exists. Reload the page.";
const CHANNEL_GONE = "That channel no longer exists. Reload the page.";

async function workspaceById(db: Database, id: string) {
  const [row] = await db
    .select({ id: workspaces.id, slug: workspaces.slug, name: workspaces.name })
    .from(workspaces)
    .where(eq(workspaces.id, id));
  return row ?? null;
}

const pathOf = (slug: string) => `/settings/workspaces/${slug}/notifications`;

// A checkbox list arrives as one value when one box is ticked.
const addInput = z.preprocess(
  (raw) => ({ ...(raw as Record<string, unknown>), events: [(raw as Record<string, unknown>).events ?? []].flat() }),
  channelInput(env.ALLOW_PRIVATE_URLS),
);

// Channel URLs are secrets like Trillet keys: adding or removing one is an admin change that needs
// a recent sign-in; a test send is not.
export const addNotificationChannel = withAction(
  { permission: "workspaces.manage", input: addInput, fresh: "/settings/workspaces" },
  async ({ input, user: admin }): Promise<ActionResult<AddedChannel>> => {
    const { workspaceId, ...channel } = input;
    const db = await getDb();
    const workspace = await workspaceById(db, workspaceId);
    if (!workspace) return failed(GONE);
    const request = await currentRequestInfo();
    const { channel: saved, signingSecret } = await db.transaction(async (tx) => {
      const created = await createChannel(tx, workspace.id, channel, admin.id);
      const saved = created.channel;
      await recordAudit(tx, {
        actor: admin,
        action: "notification.channel_added",
        target: workspace.slug,
        detail: {
          channelId: saved.id,
          kind: saved.kind,
          host: saved.host,
          events: saved.events,
          failureRatePercent: saved.failureRatePercent,
          minFinishedCalls: saved.minFinishedCalls,
          stallMinutes: saved.stallMinutes,
        },
        request,
      });
      return created;
    });
    revalidatePath(pathOf(workspace.slug));
    return succeeded(`Channel to ${saved.host} added.`, { host: saved.host, signingSecret });
  },
);

export const removeNotificationChannel = withAction(
  { permission: "workspaces.manage", input: channelRef, fresh: "/settings/workspaces" },
  async ({ input, user: admin }): Promise<ActionResult> => {
    const db = await getDb();
    const workspace = await workspaceById(db, input.workspaceId);
    if (!workspace) return failed(GONE);
    const request = await currentRequestInfo();
    const removed = await db.transaction(async (tx) => {
      const row = await removeChannel(tx, workspace.id, input.channelId);
      if (row) {
        await recordAudit(tx, {
          actor: admin,
          action: "notification.channel_removed",
          target: workspace.slug,
          detail: { channelId: row.id, kind: row.kind, host: row.host },
          request,
        });
      }
      return row;
    });
    if (!removed) return failed(CHANNEL_GONE);
    revalidatePath(pathOf(workspace.slug));
    return succeeded(`Channel to ${removed.host} removed.`);
  },
);

export const sendTestNotification = withAction(
  { permission: "workspaces.manage", input: channelRef },
  async ({ input, user: admin }): Promise<ActionResult<{ delivered: boolean }>> => {
    const db = await getDb();
    const workspace = await workspaceById(db, input.workspaceId);
    if (!workspace) return failed(GONE);
    const channel = await findChannel(db, workspace.id, input.channelId);
    if (!channel) return failed(CHANNEL_GONE);
    const result = await sendTest(db, channel.id, workspace, { timeoutMs: env.NOTIFY_TIMEOUT_MS, allowPrivate: env.ALLOW_PRIVATE_URLS });
    if (!result) return failed(CHANNEL_GONE);
    await recordAuditEvent(db, {
      actor: admin,
      action: "notification.test_sent",
      target: workspace.slug,
      detail: {
        channelId: channel.id,
        kind: channel.kind,
        host: channel.host,
        delivered: result.ok,
        statusCode: result.statusCode,
        error: result.error,
      },
      request: await currentRequestInfo(),
    });
    revalidatePath(pathOf(workspace.slug));
    const message = result.ok
      ? `Test delivered to ${channel.host} (HTTP ${result.statusCode}).`
      : `Test to ${channel.host} failed: ${result.error ?? "no answer"}`;
    return succeeded(message, { delivered: result.ok });
  },
);
