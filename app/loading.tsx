import { PageContainer } from "@/components/app-shell/page-container";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";

const CARD_KEYS = ["c1", "c2", "c3", "c4"];
const ROW_KEYS = ["r1", "r2", "r3", "r4", "r5", "r6"];

export default function Loading() {
  return (
    <PageContainer aria-busy="true" className="space-y-6">
      <p role="status" className="sr-only">
        Loading…
      </p>
      <div aria-hidden="true" className="space-y-6">
        <div className="flex flex-col gap-4 sm:flex-row sm:items-end sm:justify-between">
          <div className="space-y-2">
            <Skeleton className="h-8 w-48" />
            <Skeleton className="h-4 w-64 max-w-full" />
          </div>
          <Skeleton className="h-9 w-32" />
        </div>

        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
          {CARD_KEYS.map((key) => (
            <Card key={key} className="gap-3">
              <CardHeader>
                <Skeleton className="h-4 w-24" />
              </CardHeader>
              <CardContent className="space-y-2">
                <Skeleton className="h-7 w-16" />
                <Skeleton className="h-2.5 w-full rounded-full" />
              </CardContent>
            </Card>
          ))}
        </div>

        <Card className="gap-0 py-0">
          <div className="flex items-center gap-4 border-b px-4 py-3">
            <Skeleton className="h-4 w-1/4" />
            <Skeleton className="h-4 w-1/6" />
            <Skeleton className="ml-auto h-4 w-1/5" />
          </div>
          {ROW_KEYS.map((key) => (
            <div key={key} className="flex items-center gap-4 border-b px-4 py-3 last:border-b-0">
              <Skeleton className="h-4 w-1/3" />
              <Skeleton className="h-5 w-20 rounded-md" />
              <Skeleton className="ml-auto h-4 w-16" />
            </div>
          ))}
        </Card>
      </div>
    </PageContainer>
  );
}
