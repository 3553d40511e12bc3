"use client";

import { Bar, BarChart, CartesianGrid, Cell, Pie, PieChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import useSWR from "swr";

import { useLocale } from "@/components/locale-provider";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import type { BatchInsights } from "@/lib/batches/insights";
import type { BatchSummary } from "@/lib/trillet/schemas";

import { copyProgressText } from "./copy-progress-text";
import { formatCount, formatUtc } from "./format";
import { useLocalTime } from "./local-time";

// Loaded on demand (next/dynamic from live-batch.tsx): the chart library stays out of the first load.

const STATUS = [
  { key: "completed", label: "Completed", color: "var(--status-completed)" },
  { key: "failed", label: "Failed", color: "var(--status-failed)" },
  { key: "active", label: "Active", color: "var(--status-active)" },
  { key: "waiting", label: "Waiting", color: "var(--status-waiting)" },
] as const;

const axis = { stroke: "var(--muted-foreground)", fontSize: 12, tickLine: false } as const;
const tooltipStyle = {
  contentStyle: { background: "var(--popover)", border: "1px solid var(--border)", borderRadius: 8, color: "var(--popover-foreground)" },
  cursor: { fill: "var(--muted)" },
};

const fetchInsights = async (url: string): Promise<BatchInsights> => {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
};

// While the copy is not there yet, ask again every few seconds (a database read, never a Trillet
// request): the page stops refreshing a finished batch, so the charts must appear by themselves.
const WAITING_FOR_COPY_MS = 4_000;

const clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

export default function BatchCharts({ summary, insightsUrl, running }: { summary: BatchSummary; insightsUrl: string; running: boolean }) {
  const locale = useLocale();
  const { data, error } = useSWR(insightsUrl, fetchInsights, {
    refreshInterval: (latest) => (latest && !latest.available ? WAITING_FOR_COPY_MS : running ? 30_000 : 0),
    refreshWhenHidden: false,
  });
  // A copy that is not final describes one moment of a running batch: say which.
  const copiedAtMs = data?.available && !data.frozen ? (data.copiedAt ?? data.readAt) : null;
  const copiedAtLocal = useLocalTime(copiedAtMs, clock);
  const asCopied = copiedAtMs === null ? "" : `, as copied at ${copiedAtLocal ?? formatUtc(copiedAtMs)}`;
  const split = STATUS.map((s) => ({ ...s, value: summary[s.key] })).filter((s) => s.value > 0);
  const placeholder = error ? (
    <Empty text="Chart data could not be loaded." />
  ) : !data ? (
    <Skeleton className="size-full" />
  ) : !data.available ? (
    <NotMirrored data={data} />
  ) : null;
  const timeFormat = new Intl.DateTimeFormat(
    undefined,
    data?.available && data.overTime.unit === "day" ? { month: "short", day: "numeric" } : { hour: "2-digit", minute: "2-digit" },
  );
  return (
    <section aria-label="Charts" className="grid gap-4 lg:grid-cols-3" data-testid="batch-charts">
      <ChartCard
        title="Status split"
        description="Calls by status right now"
        table={split.map((s) => [s.label, formatCount(s.value, locale)])}
        placeholder={split.length === 0 ? <Empty text="No calls yet." /> : null}
        chart={
          <PieChart accessibilityLayer={false}>
            <Pie
              data={split}
              dataKey="value"
              nameKey="label"
              innerRadius="55%"
              outerRadius="85%"
              stroke="var(--background)"
              rootTabIndex={-1}
            >
              {split.map((s) => (
                <Cell key={s.key} fill={s.color} />
              ))}
            </Pie>
            <Tooltip {...tooltipStyle} />
          </PieChart>
        }
      />
      <ChartCard
        title="Call duration"
        description={`Completed calls by length (seconds)${asCopied}`}
        table={data?.available ? data.durations.map((b) => [`${b.fromS}–${b.toS} s`, formatCount(b.count, locale)]) : []}
        placeholder={placeholder}
        chart={
          data?.available ? (
            <BarChart accessibilityLayer={false} data={data.durations.map((b) => ({ name: `${b.fromS}–${b.toS}`, count: b.count }))}>
              <CartesianGrid vertical={false} stroke="var(--border)" />
              <XAxis dataKey="name" {...axis} interval="preserveStartEnd" />
              <YAxis {...axis} allowDecimals={false} width={40} />
              <Tooltip {...tooltipStyle} formatter={(v) => [formatCount(Number(v), locale), "Calls"]} labelFormatter={(l) => `${l} s`} />
              <Bar dataKey="count" fill="var(--status-completed)" radius={[4, 4, 0, 0]} />
            </BarChart>
          ) : null
        }
      />
      <ChartCard
        title="Calls over time"
        description={data?.available ? `Finished calls per ${data.overTime.unit}${asCopied}` : "Finished calls over time"}
        table={
          data?.available
            ? data.overTime.buckets.map((b) => [new Date(b.at).toISOString(), `${b.completed} completed, ${b.failed} failed`])
            : []
        }
        placeholder={placeholder}
        chart={
          data?.available ? (
            <BarChart accessibilityLayer={false} data={data.overTime.buckets}>
              <CartesianGrid vertical={false} stroke="var(--border)" />
              <XAxis dataKey="at" {...axis} tickFormatter={(t: number) => timeFormat.format(t)} minTickGap={24} />
              <YAxis {...axis} allowDecimals={false} width={40} />
              <Tooltip {...tooltipStyle} labelFormatter={(t) => new Date(Number(t)).toLocaleString()} />
              <Bar dataKey="completed" name="Completed" stackId="a" fill="var(--status-completed)" />
              <Bar dataKey="failed" name="Failed" stackId="a" fill="var(--status-failed)" />
            </BarChart>
          ) : null
        }
      />
    </section>
  );
}

interface ChartCardProps {
  title: string;
  description: string;
  /** The same data as rows, for screen readers and anyone who prefers numbers. */
  table: string[][];
  /** Shown instead of the chart while it is loading, empty or unavailable. */
  placeholder?: React.ReactNode;
  chart: React.ReactElement | null;
}

function ChartCard({ title, description, table, placeholder, chart }: ChartCardProps) {
  return (
    <Card className="gap-3">
      <CardHeader>
        <CardTitle className="text-base">{title}</CardTitle>
        <CardDescription>{description}</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-2">
        <div className="h-48" aria-hidden={placeholder ? undefined : true}>
          {placeholder ??
            (chart ? (
              <ResponsiveContainer width="100%" height="100%">
                {chart}
              </ResponsiveContainer>
            ) : null)}
        </div>
        {table.length > 0 ? (
          <details className="text-sm">
            <summary className="cursor-pointer text-muted-foreground">{title}: data as a table</summary>
            <table className="mt-2 w-full text-left">
              <tbody>
                {table.map(([k, v]) => (
                  <tr key={k} className="border-b last:border-0">
                    <th scope="row" className="py-1 pr-2 font-normal">
                      {k}
                    </th>
                    <td className="py-1 tabular-nums">{v}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        ) : null}
      </CardContent>
    </Card>
  );
}

function Empty({ text }: { text: string }) {
  return <p className="flex h-full items-center justify-center text-sm text-muted-foreground">{text}</p>;
}

function NotMirrored({ data }: { data: Extract<BatchInsights, { available: false }> }) {
  const locale = useLocale();
  return (
    <Empty
      text={`Available once the batch is copied${data.progress ? ` (${copyProgressText(data.progress, locale)})` : ""}; this chart then appears by itself.`}
    />
  );
}
