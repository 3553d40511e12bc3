"use server";

import { eq } from "drizzle-orm";
import { revalidatePath } from "next/cache";
import { failed, firstIssue, succeeded, type ActionResult } from "@/components/settings/action-result";
import { recordAudit } from "@/lib/audit";
import { requireAdmin } from "@/lib/auth/guards";
import { currentRequestInfo } from "@/lib/auth/request-info";
import { getDb, type Database } from "@/lib/db";
import { workspaces } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { createChannel, findChannel, removeChannel } from "@/lib/notifications/channels";
import { sendTest } from "@/lib/notifications/test-send";
import { channelFields, channelInput, channelRef, type AddedChannel } from "./notification-input";

// Notification channels of a workspace (admins only). The URL and the signing secret go from the
// parsed form into the sealed columns; results, audit details and logs carry the host only. The
// signing secret comes back once, in the result of the add.

const GONE = "That workspace no longer exists. Reload the page.";
const CHANNEL_GONE = "That channel no longer exists. Reload the page.";

async function workspaceById(db: Database, id: string) {
  const [row] = await db.select({ id: workspaces.id, slug: workspaces.slug, name: workspaces.name }).from(workspaces).where(eq(workspaces.id, id));
  return row ?? null;
}

const pathOf = (slug: string) => `/settings/workspaces/${slug}/notifications`;

export async function addNotificationChannel(_previous: ActionResult<AddedChannel>, formData: FormData): Promise<ActionResult<AddedChannel>> {
  const admin = await requireAdmin();
  const input = channelInput(env.ALLOW_PRIVATE_URLS).safeParse(channelFields(formData));
  if (!input.success) return failed(firstIssue(input.error));
  const { workspaceId, ...channel } = input.data;
  const db = await getDb();
  const workspace = await workspaceById(db, workspaceId);
  if (!workspace) return failed(GONE);
  const { channel: saved, signingSecret } = await createChannel(db, workspace.id, channel, admin.id);
  await recordAudit(db, {
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
    request: await currentRequestInfo(),
  });
  revalidatePath(pathOf(workspace.slug));
  return succeeded(`Channel to ${saved.host} added.`, { host: saved.host, signingSecret });
}

export async function removeNotificationChannel(_previous: ActionResult, formData: FormData): Promise<ActionResult> {
  const admin = await requireAdmin();
  const input = channelRef.safeParse({ workspaceId: formData.get("workspaceId"), channelId: formData.get("channelId") });
  if (!input.success) return failed(firstIssue(input.error));
  const db = await getDb();
  const workspace = await workspaceById(db, input.data.workspaceId);
  if (!workspace) return failed(GONE);
  const removed = await removeChannel(db, workspace.id, input.data.channelId);
  if (!removed) return failed(CHANNEL_GONE);
  await recordAudit(db, {
    actor: admin,
    action: "notification.channel_removed",
    target: workspace.slug,
    detail: { channelId: removed.id, kind: removed.kind, host: removed.host },
    request: await currentRequestInfo(),
  });
  revalidatePath(pathOf(workspace.slug));
  return succeeded(`Channel to ${removed.host} removed.`);
}

export async function sendTestNotification(
  _previous: ActionResult<{ delivered: boolean }>,
  formData: FormData,
): Promise<ActionResult<{ delivered: boolean }>> {
  const admin = await requireAdmin();
  const input = channelRef.safeParse({ workspaceId: formData.get("workspaceId"), channelId: formData.get("channelId") });
  if (!input.success) return failed(firstIssue(input.error));
  const db = await getDb();
  const workspace = await workspaceById(db, input.data.workspaceId);
  if (!workspace) return failed(GONE);
  const channel = await findChannel(db, workspace.id, input.data.channelId);
  if (!channel) return failed(CHANNEL_GONE);
  const result = await sendTest(db, channel.id, workspace, { timeoutMs: env.NOTIFY_TIMEOUT_MS, allowPrivate: env.ALLOW_PRIVATE_URLS });
  if (!result) return failed(CHANNEL_GONE);
  await recordAudit(db, {
    actor: admin,
    action: "notification.test_sent",
    target: workspace.slug,
    detail: { channelId: channel.id, kind: channel.kind, host: channel.host, delivered: result.ok, statusCode: result.statusCode, error: result.error },
    request: await currentRequestInfo(),
  });
  revalidatePath(pathOf(workspace.slug));
  const message = result.ok
    ? `Test delivered to ${channel.host} (HTTP ${result.statusCode}).`
    : `Test to ${channel.host} failed: ${result.error ?? "no answer"}`;
  return succeeded(message, { delivered: result.ok });
}
