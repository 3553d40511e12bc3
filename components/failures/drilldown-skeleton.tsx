import { Skeleton } from "@/components/ui/skeleton";

/** The drilldown's data part while it loads (a first open asks Trillet): the header is already shown. */
export function DrilldownSkeleton() {
  return (
    <div className="flex flex-col gap-6" aria-busy="true" aria-label="Loading failed calls" data-testid="drilldown-loading">
      <div className="grid gap-3 sm:grid-cols-2">
        <Skeleton className="h-24" />
        <Skeleton className="h-24" />
      </div>
      <Skeleton className="h-5 w-96 max-w-full" />
      <Skeleton className="h-80 w-full" />
    </div>
  );
}
