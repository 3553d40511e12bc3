"use client";

import { CircleCheckIcon, CircleXIcon, UnplugIcon, type LucideIcon } from "lucide-react";

import { testWorkspaceConnection } from "@/app/settings/workspaces/actions";
import { LocalTime } from "@/components/batches/local-time";
import { Button } from "@/components/ui/button";
import { toast } from "@/components/ui/toast";
import { cn } from "@/lib/utils";
import type { ConnectionVerdict } from "@/lib/workspaces";

import { FormError } from "./form-error";
import { useSettingsAction } from "./use-settings-action";

// Colour is never the only signal: each verdict has an icon and a word.
const VERDICTS: Record<ConnectionVerdict, { label: string; icon: LucideIcon; className: string }> = {
  valid: { label: "Valid", icon: CircleCheckIcon, className: "text-status-completed" },
  rejected: { label: "Rejected", icon: CircleXIcon, className: "text-status-failed" },
  unreachable: { label: "Unreachable", icon: UnplugIcon, className: "text-status-failed" },
  blocked: { label: "Address not allowed", icon: CircleXIcon, className: "text-status-failed" },
};

interface Props {
  workspaceId: string;
  name: string;
  /** The last test kept in the database (ms since the epoch), shown until a new one answers. */
  last?: { verdict: ConnectionVerdict; at: number } | null;
}

export function TestConnectionButton({ workspaceId, name, last = null }: Props) {
  const { state, error, pending, formProps } = useSettingsAction(testWorkspaceConnection, {
    announce: (message, { verdict }) => (verdict === "valid" ? toast.success(message) : toast.error(message)),
  });
  const verdict = state?.ok ? VERDICTS[state.data.verdict] : last ? VERDICTS[last.verdict] : null;
  return (
    <form {...formProps} className="flex flex-col items-start gap-1">
      <input type="hidden" name="workspaceId" value={workspaceId} />
      <div className="flex items-center gap-2">
        <Button type="submit" size="sm" variant="outline" disabled={pending}>
          {pending ? "Testing…" : "Test connection"}
          <span className="sr-only"> of {name}</span>
        </Button>
        <span role="status" className="text-sm">
          {verdict && !pending ? (
            <span
              className={cn("inline-flex items-center gap-1 font-medium", verdict.className)}
              title={state?.ok ? state.message : undefined}
            >
              <verdict.icon aria-hidden="true" className="size-4" />
              {verdict.label}
            </span>
          ) : null}
        </span>
      </div>
      {last && !state?.ok ? (
        <span className="text-xs text-muted-foreground" data-testid="last-connection-test">
          Last tested <LocalTime ms={last.at} />
        </span>
      ) : null}
      <FormError error={error} className="whitespace-normal" />
    </form>
  );
}
