import { eq } from "drizzle-orm";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";

import { EmptyState } from "@/components/settings/empty-state";
import { AddChannelDialog } from "@/components/settings/notifications/add-channel-dialog";
import { ChannelList } from "@/components/settings/notifications/channel-list";
import { SectionHeading } from "@/components/settings/section-heading";
import { requirePermission } from "@/lib/auth/guards";
import { getDb } from "@/lib/db";
import { workspaces } from "@/lib/db/schema";
import { requestLocale } from "@/lib/locale-server";
import { listChannels, recentDeliveries } from "@/lib/notifications/channels";
import { WORKSPACE_SLUG } from "@/lib/workspace-slug";

export const metadata: Metadata = { title: "Notifications" };

export default async function NotificationsPage({ params }: { params: Promise<{ slug: string }> }) {
  await requirePermission("workspaces.manage");
  const { slug } = await params;
  if (!WORKSPACE_SLUG.test(slug)) notFound();
  const db = await getDb();
  const [workspace] = await db.select({ id: workspaces.id, name: workspaces.name }).from(workspaces).where(eq(workspaces.slug, slug));
  if (!workspace) notFound();
  const channels = await listChannels(db, workspace.id);
  const log = await recentDeliveries(
    db,
    channels.map((c) => c.id),
  );
  return (
    <section aria-labelledby="notifications-heading" className="flex flex-col gap-4">
      <Link href="/settings/workspaces" className="text-sm text-muted-foreground underline-offset-4 hover:underline">
        ← Workspaces
      </Link>
      <SectionHeading
        id="notifications-heading"
        title={`Notifications for ${workspace.name}`}
        description="Tell a Slack channel or your own endpoint when a batch finishes, fails too often, stalls, or a retry starts."
        action={<AddChannelDialog workspaceId={workspace.id} />}
      />
      {channels.length === 0 ? (
        <EmptyState title="No channel yet" testId="no-channels">
          Add a Slack incoming webhook or a signed JSON webhook with “Add channel”.
        </EmptyState>
      ) : (
        <ChannelList workspaceId={workspace.id} channels={channels} log={log} locale={await requestLocale()} />
      )}
    </section>
  );
}
