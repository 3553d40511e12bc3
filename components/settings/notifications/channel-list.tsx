import { formatCount } from "@/components/batches/format";
import { LocalTime } from "@/components/batches/local-time";
import { Badge } from "@/components/ui/badge";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { ChannelView, DeliveryLogRow } from "@/lib/notifications/channels";
import { EVENT_LABELS, type NotificationEvent } from "@/lib/notifications/event-types";

import { RemoveChannelButton } from "./remove-channel-button";
import { SendTestButton } from "./send-test-button";

const KIND_LABELS = { slack: "Slack", webhook: "Signed webhook" } as const;
const OUTCOME_LABELS: Record<string, string> = { delivered: "Delivered", retrying: "Will retry", failed: "Failed" };

/** The workspace's channels, each with its events, thresholds, actions and latest delivery attempts. */
export function ChannelList({
  workspaceId,
  channels,
  log,
  locale,
}: {
  workspaceId: string;
  /** The viewer's locale for numbers (requestLocale). */
  locale: string;
  channels: readonly ChannelView[];
  log: Map<string, DeliveryLogRow[]>;
}) {
  return (
    <ul className="flex flex-col gap-4" data-testid="notification-channels">
      {channels.map((channel) => (
        <li key={channel.id}>
          <Card data-testid="notification-channel">
            <CardHeader>
              <CardTitle className="flex flex-wrap items-center gap-2">
                <Badge variant="secondary">{KIND_LABELS[channel.kind]}</Badge>
                <span className="font-mono text-sm break-all">{channel.host}</span>
              </CardTitle>
              <CardDescription>
                {channel.events.map((e: NotificationEvent) => EVENT_LABELS[e]).join(" · ")}
                {channel.events.includes("batch.failure_rate") ? (
                  <span className="block">
                    Failure rate: at {channel.failureRatePercent}% after {formatCount(channel.minFinishedCalls, locale)} finished calls.
                  </span>
                ) : null}
                {channel.events.includes("batch.stalled") ? (
                  <span className="block">Stalled: no progress for {channel.stallMinutes} min while calls wait.</span>
                ) : null}
              </CardDescription>
              <CardAction className="flex gap-2">
                <SendTestButton workspaceId={workspaceId} channelId={channel.id} host={channel.host} />
                <RemoveChannelButton workspaceId={workspaceId} channelId={channel.id} host={channel.host} />
              </CardAction>
            </CardHeader>
            <CardContent>
              <DeliveryLog host={channel.host} rows={log.get(channel.id) ?? []} />
            </CardContent>
          </Card>
        </li>
      ))}
    </ul>
  );
}

function DeliveryLog({ host, rows }: { host: string; rows: readonly DeliveryLogRow[] }) {
  if (rows.length === 0) return <p className="text-sm text-muted-foreground">Nothing sent yet. “Send test” posts a sample.</p>;
  return (
    <Table data-testid="delivery-log" aria-label={`Delivery log of ${host}`}>
      <TableHeader>
        <TableRow>
          <TableHead>When</TableHead>
          <TableHead>Event</TableHead>
          <TableHead>Attempt</TableHead>
          <TableHead>Outcome</TableHead>
          <TableHead>Answer</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map((row) => (
          <TableRow key={row.id} data-testid="delivery-log-row">
            <TableCell>
              <LocalTime ms={row.at.getTime()} />
            </TableCell>
            <TableCell>
              <span className="block">
                {row.eventType === "test" ? "Test" : (EVENT_LABELS[row.eventType as NotificationEvent] ?? row.eventType)}
              </span>
              <span className="block max-w-64 truncate font-mono text-xs text-muted-foreground" title={row.eventId}>
                {row.eventId}
              </span>
            </TableCell>
            <TableCell>{row.attempt}</TableCell>
            <TableCell>{OUTCOME_LABELS[row.outcome] ?? row.outcome}</TableCell>
            <TableCell className="whitespace-normal">
              {row.statusCode !== null ? `HTTP ${row.statusCode}` : null}
              {row.error ? <span className="block text-xs text-muted-foreground">{row.error}</span> : null}
              <span className="block text-xs text-muted-foreground">{row.durationMs} ms</span>
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
