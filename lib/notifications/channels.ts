import "server-only";

import { and, desc, eq, inArray, sql } from "drizzle-orm";

import type { Database } from "../db";
import { notificationChannels, notificationDeliveries, type ChannelKind } from "../db/schema";
import { open, seal } from "../security/secret-box";
import { displayHost } from "./channel-url";
import type { NotificationEvent } from "./events";
import { newSigningSecret } from "./signature";

// A workspace's notification channels. The URL and the signing secret are sealed to their row and
// column; what settings see is the host, the events and the thresholds.

export const urlAad = (id: string) => `notification_channels:${id}:url`;
export const secretAad = (id: string) => `notification_channels:${id}:signing_secret`;

/** What settings may show of a channel: never its URL's path or query, never its secret. */
export interface ChannelView {
  id: string;
  kind: ChannelKind;
  host: string;
  events: NotificationEvent[];
  failureRatePercent: number;
  minFinishedCalls: number;
  stallMinutes: number;
  createdAt: Date;
}

export interface ChannelInput {
  kind: ChannelKind;
  /** Checked by the caller (channel-url.ts). */
  url: string;
  events: NotificationEvent[];
  failureRatePercent: number;
  minFinishedCalls: number;
  stallMinutes: number;
}

const view = {
  id: notificationChannels.id,
  kind: notificationChannels.kind,
  host: notificationChannels.urlHost,
  events: notificationChannels.events,
  failureRatePercent: notificationChannels.failureRatePercent,
  minFinishedCalls: notificationChannels.minFinishedCalls,
  stallMinutes: notificationChannels.stallMinutes,
  createdAt: notificationChannels.createdAt,
};

/** Adds a channel; a webhook's signing secret is returned this once and never again. */
export async function createChannel(
  db: Database,
  workspaceId: string,
  input: ChannelInput,
  createdBy: string | null,
): Promise<{ channel: ChannelView; signingSecret: string | null }> {
  const id = crypto.randomUUID();
  const signingSecret = input.kind === "webhook" ? newSigningSecret() : null;
  const [row] = await db
    .insert(notificationChannels)
    .values({
      id,
      workspaceId,
      kind: input.kind,
      urlEnc: seal(input.url, urlAad(id)),
      urlHost: displayHost(input.url),
      signingSecretEnc: signingSecret ? seal(signingSecret, secretAad(id)) : null,
      events: input.events,
      failureRatePercent: input.failureRatePercent,
      minFinishedCalls: input.minFinishedCalls,
      stallMinutes: input.stallMinutes,
      createdBy,
    })
    .returning(view);
  return { channel: row as ChannelView, signingSecret };
}

export async function listChannels(db: Database, workspaceId: string): Promise<ChannelView[]> {
  const rows = await db
    .select(view)
    .from(notificationChannels)
    .where(eq(notificationChannels.workspaceId, workspaceId))
    .orderBy(notificationChannels.createdAt);
  return rows as ChannelView[];
}

export async function findChannel(db: Database, workspaceId: string, channelId: string): Promise<ChannelView | null> {
  const [row] = await db
    .select(view)
    .from(notificationChannels)
    .where(and(eq(notificationChannels.workspaceId, workspaceId), eq(notificationChannels.id, channelId)));
  return (row as ChannelView | undefined) ?? null;
}

/** Removes the channel with its queued deliveries and its log. */
export async function removeChannel(db: Database, workspaceId: string, channelId: string): Promise<ChannelView | null> {
  const [row] = await db
    .delete(notificationChannels)
    .where(and(eq(notificationChannels.workspaceId, workspaceId), eq(notificationChannels.id, channelId)))
    .returning(view);
  return (row as ChannelView | undefined) ?? null;
}

/** Where to deliver: decrypted for one delivery, never stored elsewhere or logged. */
export interface ChannelTarget {
  id: string;
  kind: ChannelKind;
  url: string;
  host: string;
  signingSecret: string | null;
}

export async function channelTarget(db: Database, channelId: string): Promise<ChannelTarget | null> {
  const [row] = await db.select().from(notificationChannels).where(eq(notificationChannels.id, channelId));
  if (!row) return null;
  return {
    id: row.id,
    kind: row.kind,
    url: open(row.urlEnc, urlAad(row.id)),
    host: row.urlHost,
    signingSecret: row.signingSecretEnc ? open(row.signingSecretEnc, secretAad(row.id)) : null,
  };
}

export type DeliveryLogRow = typeof notificationDeliveries.$inferSelect;

/** The latest attempts of each channel, newest first (`perChannel` each). */
export async function recentDeliveries(db: Database, channelIds: string[], perChannel = 20): Promise<Map<string, DeliveryLogRow[]>> {
  const byChannel = new Map<string, DeliveryLogRow[]>(channelIds.map((id) => [id, []]));
  if (channelIds.length === 0) return byChannel;
  const d = notificationDeliveries;
  const ranked = db
    .select({ id: d.id, rank: sql<number>`row_number() over (partition by ${d.channelId} order by ${d.at} desc, ${d.id} desc)`.as("rank") })
    .from(d)
    .where(inArray(d.channelId, channelIds))
    .as("ranked");
  const rows = await db
    .select()
    .from(d)
    .innerJoin(ranked, eq(ranked.id, d.id))
    .where(sql`${ranked.rank} <= ${perChannel}`)
    .orderBy(desc(d.at), desc(d.id));
  for (const { notification_deliveries: row } of rows) byChannel.get(row.channelId)?.push(row);
  return byChannel;
}
