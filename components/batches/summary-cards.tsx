import { useLocale } from "@/components/locale-provider";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import type { BatchSummary } from "@/lib/trillet/schemas";

import { formatCount, formatPercent, successRate } from "./format";

const CARDS: { key: keyof BatchSummary; label: string; hint: string }[] = [
  { key: "total", label: "Total calls", hint: "Every row of the batch" },
  { key: "waiting", label: "Waiting", hint: "Not dialled yet" },
  { key: "active", label: "Active", hint: "On the line now" },
  { key: "completed", label: "Completed", hint: "Answered and finished" },
  { key: "failed", label: "Failed", hint: "Could not be completed" },
];

export function SummaryCards({ summary }: { summary: BatchSummary }) {
  const locale = useLocale();
  const rate = successRate(summary);
  return (
    <section aria-label="Batch summary" className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6">
      {CARDS.map((card) => (
        <Card key={card.key} className="gap-1 py-4" data-testid={`summary-${card.key}`}>
          <CardHeader className="px-4">
            <CardDescription>{card.label}</CardDescription>
            <CardTitle className="text-2xl tabular-nums" data-value={summary[card.key]}>
              {formatCount(summary[card.key], locale)}
            </CardTitle>
            <p className="text-xs text-muted-foreground">{card.hint}</p>
          </CardHeader>
        </Card>
      ))}
      <Card className="gap-1 py-4" data-testid="summary-success-rate">
        <CardHeader className="px-4">
          <CardDescription>Success rate</CardDescription>
          <CardTitle className="text-2xl tabular-nums">{rate === null ? "—" : formatPercent(rate, locale)}</CardTitle>
          <p className="text-xs text-muted-foreground">Completed of finished calls</p>
        </CardHeader>
      </Card>
    </section>
  );
}
