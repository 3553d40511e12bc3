import { FALLBACK_LOCALE, numberFormat } from "@/lib/locale";
import type { BatchSummary } from "@/lib/trillet/schemas";

/** A count in the viewer's locale (useLocale in the browser, requestLocale on the server). */
export function formatCount(n: number, locale: string = FALLBACK_LOCALE): string {
  return numberFormat(locale).format(n);
}

const percents = new Map<string, Intl.NumberFormat[]>();

/** A share as a percentage in the viewer's locale: whole near 0 and 100 %, one decimal otherwise. */
export function formatPercent(ratio: number, locale: string = FALLBACK_LOCALE): string {
  let pair = percents.get(locale);
  if (!pair) {
    pair = [0, 1].map(
      (digits) => new Intl.NumberFormat(locale, { style: "percent", minimumFractionDigits: digits, maximumFractionDigits: digits }),
    );
    if (percents.size < 100) percents.set(locale, pair);
  }
  return pair[ratio >= 0.995 || ratio === 0 ? 0 : 1]!.format(ratio);
}

/** Completed share of the calls that finished; null until one has. */
export function successRate(s: BatchSummary): number | null {
  const finished = s.completed + s.failed;
  return finished > 0 ? s.completed / finished : null;
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null) return "—";
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return `${m} min ${s.toString().padStart(2, "0")} s`;
}

export function formatUtc(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d{3}Z$/, " UTC");
}
