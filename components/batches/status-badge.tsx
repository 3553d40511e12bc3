import { CircleCheckIcon, CircleXIcon, ClockIcon, PhoneCallIcon, type LucideIcon } from "lucide-react";
import * as React from "react";

import { Badge } from "@/components/ui/badge";
import { cn } from "@/lib/utils";

type StatusStyle = {
  label: string;
  icon: LucideIcon;
  badgeClassName: string;
  iconClassName: string;
};

// Colour is never the only signal: every known status renders an icon and a text label.
const STATUS_STYLES = {
  completed: {
    label: "Completed",
    icon: CircleCheckIcon,
    badgeClassName: "border-status-completed/40 bg-status-completed/10",
    iconClassName: "text-status-completed",
  },
  failed: {
    label: "Failed",
    icon: CircleXIcon,
    badgeClassName: "border-status-failed/40 bg-status-failed/10",
    iconClassName: "text-status-failed",
  },
  active: {
    label: "Active",
    icon: PhoneCallIcon,
    badgeClassName: "border-status-active/40 bg-status-active/10",
    iconClassName: "text-status-active motion-safe:animate-pulse",
  },
  waiting: {
    label: "Waiting",
    icon: ClockIcon,
    badgeClassName: "border-status-waiting/60 bg-status-waiting/15",
    iconClassName: "text-status-waiting",
  },
} satisfies Record<string, StatusStyle>;

type KnownStatus = keyof typeof STATUS_STYLES;

function isKnownStatus(value: string): value is KnownStatus {
  return Object.prototype.hasOwnProperty.call(STATUS_STYLES, value);
}

function StatusBadge({ status, className }: { status: string; className?: string }) {
  const normalized = status.trim().toLowerCase();

  if (!isKnownStatus(normalized)) {
    return (
      <Badge variant="outline" data-status={status} className={cn("text-muted-foreground", className)}>
        {status.trim() === "" ? "Unknown" : status}
      </Badge>
    );
  }

  const style: StatusStyle = STATUS_STYLES[normalized];
  const Icon = style.icon;

  return (
    <Badge variant="outline" data-status={normalized} className={cn("gap-1.5 text-foreground", style.badgeClassName, className)}>
      <Icon aria-hidden="true" className={style.iconClassName} />
      {style.label}
    </Badge>
  );
}

export { StatusBadge };
