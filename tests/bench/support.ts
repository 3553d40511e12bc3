import { startTestSandbox, TEST_KEY, TEST_WORKSPACE, type RunningSandbox } from "../support/sandbox";

// Shared by the benchmarks: the tests' sandbox (tsx resolves its "@/" imports through
// tsconfig.json's paths), with a gateway sized for benchmarks rather than for quick tests.

export const BENCH_KEY = TEST_KEY;
export const BENCH_WORKSPACE = TEST_WORKSPACE;

export type BenchSandbox = RunningSandbox;

const BENCH_GATEWAY = { limitPerMinute: 600_000, timeoutMs: 10_000, maxRateLimitWaitMs: 65_000 };

/** A sandbox on a random loopback port (never a fixed one), reached over real HTTP. */
export async function startBenchSandbox(options: Parameters<typeof startTestSandbox>[0] = {}): Promise<BenchSandbox> {
  const sb = await startTestSandbox(options);
  return { ...sb, gateway: (overrides = {}, credentials = {}) => sb.gateway({ ...BENCH_GATEWAY, ...overrides }, credentials) };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  // Nearest rank: the smallest sample with at least p% of the samples at or below it.
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Least-squares slope of y over x (units of y per unit of x). */
export function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? NaN : num / den;
}

export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(cells[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

export const fixed = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");

/** One line of the final summary and one entry of test-results/bench.json. */
export interface Verdict {
  name: string;
  value: number;
  unit: "ratio" | "ms" | "count" | "req/min" | "rows/s" | "MB";
  /** min: value >= bound; max: value <= bound; lt: value < bound; info: reported, no target. */
  kind: "min" | "max" | "lt" | "info";
  bound: number;
  /** value / bound, the figure the budget is stated in (null when the bound is 0 or there is none). */
  ratio: number | null;
  result: "PASS" | "FAIL" | "info";
  note?: string;
}

export function verdict(name: string, value: number, unit: Verdict["unit"], kind: Verdict["kind"], bound: number, note?: string): Verdict {
  const met = kind === "min" ? value >= bound : kind === "max" ? value <= bound : value < bound;
  const result = kind === "info" ? "info" : Number.isFinite(value) && met ? "PASS" : "FAIL";
  const ratio = kind === "info" || bound === 0 ? null : value / bound;
  return { name, value, unit, kind, bound, ratio, result, ...(note ? { note } : {}) };
}

const show = (value: number, unit: Verdict["unit"]) =>
  !Number.isFinite(value)
    ? "n/a"
    : unit === "ratio"
      ? fixed(value)
      : unit === "ms"
        ? `${Math.round(value)} ms`
        : unit === "count"
          ? String(value)
          : `${Math.round(value)} ${unit}`;

export function summaryLine(v: Verdict, width: number): string {
  const op = { min: ">=", max: "<=", lt: "<", info: "" }[v.kind];
  const bound = v.kind === "info" ? "" : `(bound ${op} ${show(v.bound, v.unit)})`;
  const ratio = v.ratio === null || v.unit === "ratio" ? "" : `ratio ${fixed(v.ratio)}`;
  return [
    v.name.padEnd(width),
    show(v.value, v.unit).padStart(12),
    bound.padEnd(26),
    ratio.padEnd(11),
    v.result,
    v.note ? ` ${v.note}` : "",
  ]
    .join("  ")
    .trimEnd();
}
