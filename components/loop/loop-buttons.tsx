"use client";

import { CircleStopIcon, RotateCcwIcon } from "lucide-react";
import { useState, type ComponentProps } from "react";

import { formatCount } from "@/components/batches/format";
import { useLocale } from "@/components/locale-provider";
import { Button } from "@/components/ui/button";
import { lazyModule } from "@/components/ui/lazy-module";

import type { CancelBatchButton } from "./cancel-batch-button";
import type { RetryDialog } from "./retry-dialog";

// The retry and cancel buttons as the page first loads them: a plain button each. The dialogs
// (Radix, the form, the preview table, the server actions) are fetched when someone points at or
// presses one, so the batch page's first load stays within its budget.

const retry = lazyModule(() => import("./retry-dialog"));
const cancel = lazyModule(() => import("./cancel-batch-button"));

export const retryButtonLabel = (count: number, locale: string) => `Retry ${formatCount(count, locale)} ${count === 1 ? "call" : "calls"}`;

function useWanted(load: () => Promise<unknown>) {
  const [wanted, setWanted] = useState(false);
  const preload = () => void load().catch(() => undefined);
  return {
    wanted,
    triggerProps: {
      onPointerEnter: preload,
      onFocus: preload,
      onClick: () => {
        setWanted(true);
        preload();
      },
    },
  };
}

export function RetryButton(props: Omit<ComponentProps<typeof RetryDialog>, "defaultOpen">) {
  const locale = useLocale();
  const loaded = retry.useLoaded();
  const { wanted, triggerProps } = useWanted(retry.load);
  if (loaded && wanted) return <loaded.RetryDialog {...props} defaultOpen />;
  return (
    <Button size="sm" variant="outline" data-testid="retry-open" aria-haspopup="dialog" {...triggerProps}>
      <RotateCcwIcon aria-hidden="true" /> {retryButtonLabel(props.failedCount, locale)}
    </Button>
  );
}

export function CancelButton(props: Omit<ComponentProps<typeof CancelBatchButton>, "defaultOpen">) {
  const loaded = cancel.useLoaded();
  const { wanted, triggerProps } = useWanted(cancel.load);
  if (loaded && wanted) return <loaded.CancelBatchButton {...props} defaultOpen />;
  return (
    <Button size="sm" variant="outline" data-testid="cancel-open" aria-haspopup="dialog" {...triggerProps}>
      <CircleStopIcon aria-hidden="true" /> Cancel batch
    </Button>
  );
}
