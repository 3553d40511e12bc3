import { GitBranchIcon } from "lucide-react";
import Link from "next/link";

import { formatCount, formatPercent } from "@/components/batches/format";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { Funnel } from "@/lib/batches/lineage";
import { requestLocale } from "@/lib/locale-server";

interface Props {
  funnel: Funnel;
  batchId: string;
  /** /w/<workspace>/batches */
  batchesPath: string;
}

const batchLink = (batchesPath: string, id: string) => `${batchesPath}/${encodeURIComponent(id)}`;

/**
 * Where a batch stands in its line of attempts: its attempt number, the batch it retried and the
 * retries started from it; on the first batch of a line, the funnel across attempts.
 */
export async function BatchLineage({ funnel, batchId, batchesPath }: Props) {
  const locale = await requestLocale();
  const self = funnel.steps.find((s) => s.batchId === batchId);
  const parent = self?.parentBatchId ? funnel.steps.find((s) => s.batchId === self.parentBatchId) : undefined;
  const children = funnel.steps.filter((s) => s.parentBatchId === batchId);
  if (!self || (funnel.steps.length < 2 && !self.parentBatchId)) return null;
  const isRoot = self.parentBatchId === null;
  return (
    <Card data-testid="batch-lineage" role="region" aria-labelledby="lineage-title">
      <CardHeader>
        <CardTitle>
          <h2 id="lineage-title" className="flex items-center gap-2">
            <GitBranchIcon aria-hidden="true" className="size-4" /> Attempts
          </h2>
        </CardTitle>
        <CardDescription data-testid="lineage-summary">
          Attempt {self.attempt} of {funnel.steps.length}
          {parent ? (
            <>
              {" "}
              · retry of{" "}
              <Link className="font-medium text-foreground underline underline-offset-4" href={batchLink(batchesPath, parent.batchId)}>
                {parent.label || parent.batchId}
              </Link>
            </>
          ) : null}
          {children.length > 0 ? (
            <>
              {" "}
              · retried as{" "}
              {children.map((child, i) => (
                <span key={child.batchId}>
                  {i > 0 ? ", " : ""}
                  <Link className="font-medium text-foreground underline underline-offset-4" href={batchLink(batchesPath, child.batchId)}>
                    attempt {child.attempt}
                  </Link>
                </span>
              ))}
            </>
          ) : null}
        </CardDescription>
      </CardHeader>
      {isRoot ? (
        <CardContent className="flex flex-col gap-6">
          <Table data-testid="attempts-funnel">
            <TableHeader>
              <TableRow>
                <TableHead scope="col">Attempt</TableHead>
                <TableHead scope="col">Batch</TableHead>
                <TableHead scope="col" className="text-right">
                  Calls made
                </TableHead>
                <TableHead scope="col" className="text-right">
                  Reached
                </TableHead>
                <TableHead scope="col" className="text-right">
                  Reached so far
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {funnel.steps.map((step) => (
                <TableRow key={step.batchId} data-attempt={step.attempt}>
                  <TableCell className="tabular-nums">{step.attempt}</TableCell>
                  <TableCell className="max-w-64 truncate">
                    {step.batchId === batchId ? (
                      <span className="font-mono text-xs">{step.batchId}</span>
                    ) : (
                      <Link className="font-mono text-xs underline underline-offset-4" href={batchLink(batchesPath, step.batchId)}>
                        {step.batchId}
                      </Link>
                    )}
                    {step.cancelled ? <span className="ml-2 text-xs text-muted-foreground">(cancelled)</span> : null}
                  </TableCell>
                  <TableCell className="text-right tabular-nums">{formatCount(step.made, locale)}</TableCell>
                  <TableCell className="text-right tabular-nums">{formatCount(step.reached, locale)}</TableCell>
                  <TableCell className="text-right tabular-nums">
                    {step.cumulativeRate === null ? "—" : formatPercent(step.cumulativeRate, locale)}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {funnel.recovered.length > 0 ? (
            <section aria-labelledby="recovered-title" className="flex flex-col gap-2">
              <h3 id="recovered-title" className="text-sm font-medium">
                Recovered on retry, by first failure reason
              </h3>
              <ul className="flex flex-col gap-1 text-sm" data-testid="recovered-reasons">
                {funnel.recovered.map((reason) => (
                  <li key={reason.key} className="flex justify-between gap-4">
                    <span className="min-w-0 truncate">{reason.label}</span>
                    <span className="shrink-0 tabular-nums text-muted-foreground">
                      {formatCount(reason.recovered, locale)} of {formatCount(reason.retried, locale)} reached
                    </span>
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
        </CardContent>
      ) : null}
    </Card>
  );
}
