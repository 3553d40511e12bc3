import { DatabaseIcon } from "lucide-react";
import Link from "next/link";

import { copyProgressText, type CopyProgressInput } from "@/components/batches/copy-progress-text";
import { RetryByItself } from "@/components/batches/retry-by-itself";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Progress } from "@/components/ui/progress";
import { requestLocale } from "@/lib/locale-server";
import type { MirrorStatus } from "@/lib/mirror/status";

/** Reasons need every failed call, so until the batch is copied this says how far the copy is. */
export async function CopyingState({
  mirror,
  batchHref,
}: {
  mirror: (CopyProgressInput & Pick<MirrorStatus, "state" | "error">) | null;
  batchHref: string;
}) {
  const locale = await requestLocale();
  // The bar follows the pass under way: it fills once per pass and never runs backwards.
  const total = mirror?.inPass ? mirror.passPages : 0;
  const failed = mirror?.state === "failed";
  return (
    <Card className="max-w-2xl" data-testid="failures-copying">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <DatabaseIcon aria-hidden="true" className="size-5" />
          Copying the batch
        </CardTitle>
        <CardDescription>
          Trillet cannot group calls by reason, so Batchboard counts them in its own copy of the batch. The breakdown appears here once the
          whole batch is copied.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <div className="flex flex-col gap-2">
          {total > 0 ? <Progress value={Math.min(mirror!.pagesDone, total)} max={total} aria-label="Pages copied" /> : null}
          <p className="text-sm tabular-nums first-letter:uppercase" data-testid="copy-progress">
            {mirror ? `${copyProgressText(mirror, locale)}.` : "The copy starts when the batch page is opened."}
          </p>
        </div>
        {failed ? (
          <p className="text-sm text-muted-foreground" data-testid="copy-error">
            The last attempt failed{mirror.error ? ` (${mirror.error})` : ""}; it will be tried again.
          </p>
        ) : null}
        <Button asChild variant="outline" className="self-start">
          <Link href={batchHref}>Go to the batch page</Link>
        </Button>
        <RetryByItself everyMs={4_000}>This page updates by itself.</RetryByItself>
      </CardContent>
    </Card>
  );
}
