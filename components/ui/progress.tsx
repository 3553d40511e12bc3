import * as React from "react";

import { cn } from "@/lib/utils";

// The markup of Radix's Progress (role, aria-value*, data-state), written out: the export menu
// shows it on the batch page, where Radix's version would add its context code to the first load.

type State = "indeterminate" | "complete" | "loading";

function Progress({
  className,
  indicatorClassName,
  value: valueProp,
  max: maxProp,
  ...props
}: Omit<React.ComponentProps<"div">, "children"> & {
  /** null or undefined: indeterminate. Outside 0..max: indeterminate too (as in Radix). */
  value?: number | null;
  /** Greater than 0; anything else means 100 (as in Radix). */
  max?: number;
  indicatorClassName?: string;
}) {
  const max = typeof maxProp === "number" && maxProp > 0 ? maxProp : 100;
  const value = typeof valueProp === "number" && valueProp >= 0 && valueProp <= max ? valueProp : null;
  const state: State = value === null ? "indeterminate" : value === max ? "complete" : "loading";
  // The bar clamps what aria leaves indeterminate (say, more rows than announced).
  const percent = typeof valueProp === "number" ? Math.min(100, Math.max(0, (valueProp / max) * 100)) : 0;

  return (
    <div
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={max}
      aria-valuenow={value ?? undefined}
      aria-valuetext={value === null ? undefined : `${Math.round((value / max) * 100)}%`}
      data-state={state}
      data-value={value ?? undefined}
      data-max={max}
      data-slot="progress"
      className={cn("relative h-2 w-full overflow-hidden rounded-full bg-primary/20", className)}
      {...props}
    >
      <div
        data-slot="progress-indicator"
        data-state={state}
        data-value={value ?? undefined}
        data-max={max}
        className={cn("h-full w-full flex-1 bg-primary transition-all", indicatorClassName)}
        style={{ transform: `translateX(-${100 - percent}%)` }}
      />
    </div>
  );
}

export { Progress };
