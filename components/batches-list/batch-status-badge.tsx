import { CircleCheckIcon, CircleHelpIcon, PhoneCallIcon } from "lucide-react";

import { Badge } from "@/components/ui/badge";
import type { BatchListStatus } from "@/lib/batches/batch-list";
import { cn } from "@/lib/utils";

// Icon and word on every badge: colour is never the only signal.
const STYLES = {
  running: {
    label: "Running",
    Icon: PhoneCallIcon,
    badge: "border-status-active/40 bg-status-active/10",
    icon: "text-status-active",
  },
  finished: {
    label: "Finished",
    Icon: CircleCheckIcon,
    badge: "border-status-completed/40 bg-status-completed/10",
    icon: "text-status-completed",
  },
  unknown: {
    label: "Not read yet",
    Icon: CircleHelpIcon,
    badge: "text-muted-foreground",
    icon: "text-muted-foreground",
  },
} as const;

export function BatchStatusBadge({ status }: { status: BatchListStatus }) {
  const style = STYLES[status];
  return (
    <Badge variant="outline" data-status={status} className={cn("gap-1.5 text-foreground", style.badge)}>
      <style.Icon aria-hidden="true" className={style.icon} />
      {style.label}
    </Badge>
  );
}
