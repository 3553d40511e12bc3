"use client";

import { useId } from "react";

import { changeAuditRetention } from "@/app/settings/audit/actions";
import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/label";

import { FormError } from "./form-error";
import { NativeSelect } from "./native-select";
import { useSettingsAction } from "./use-settings-action";

const CHOICES = [
  { value: "90", label: "90 days" },
  { value: "180", label: "180 days" },
  { value: "365", label: "1 year" },
  { value: "forever", label: "Forever" },
] as const;

/** How long audit entries are kept (admins); older ones are purged hourly. */
export function AuditRetentionForm({ days }: { days: number | null }) {
  const id = useId();
  const { error, pending, formProps } = useSettingsAction(changeAuditRetention);
  return (
    <form {...formProps} className="flex flex-col gap-1" data-testid="audit-retention">
      <div className="flex flex-wrap items-end gap-2">
        <div className="flex w-44 flex-col gap-1">
          <Label htmlFor={id}>Keep entries</Label>
          <NativeSelect
            id={id}
            name="days"
            defaultValue={days === null ? "forever" : String(days)}
            aria-describedby={`${id}-hint${error ? ` ${id}-error` : ""}`}
            aria-invalid={error ? true : undefined}
          >
            {CHOICES.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </NativeSelect>
        </div>
        <Button type="submit" variant="outline" disabled={pending}>
          {pending ? "Saving…" : "Save retention"}
        </Button>
      </div>
      <p id={`${id}-hint`} className="text-xs text-muted-foreground">
        Older entries are deleted within the hour. The change itself is recorded.
      </p>
      <FormError id={`${id}-error`} error={error} />
    </form>
  );
}
