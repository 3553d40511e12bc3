import Link from "next/link";

import { AUDIT_RANGE_LABELS, AUDIT_RANGES, auditHref, type AuditView } from "@/app/settings/audit/search-params";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";

import { AUDIT_ACTION_LABELS, AUDIT_ACTIONS } from "./audit-labels";
import { NativeSelect } from "./native-select";

/**
 * Filters of the audit log: a plain GET form, so it works before (and without) JavaScript, and
 * its URL is the view (auditUrl in app/settings/audit/search-params.ts). A new filter starts at page 1.
 */
export function AuditFilters({ view, actors }: { view: AuditView; actors: readonly string[] }) {
  const filtered = Boolean(view.action || view.who || view.range);
  return (
    <form method="get" action="/settings/audit" role="search" aria-label="Filter the audit log" className="flex flex-wrap items-end gap-3">
      <div className="flex w-56 flex-col gap-1">
        <Label htmlFor="audit-action">Action</Label>
        <NativeSelect id="audit-action" name="action" defaultValue={view.action}>
          <option value="">All actions</option>
          {AUDIT_ACTIONS.map((a) => (
            <option key={a} value={a}>
              {AUDIT_ACTION_LABELS[a]}
            </option>
          ))}
        </NativeSelect>
      </div>
      <div className="flex w-64 flex-col gap-1">
        <Label htmlFor="audit-who">Person</Label>
        <Input id="audit-who" name="who" type="search" list="audit-actors" defaultValue={view.who} placeholder="Email, or part of one" />
        <datalist id="audit-actors">
          {actors.map((email) => (
            <option key={email} value={email} />
          ))}
        </datalist>
      </div>
      <div className="flex w-44 flex-col gap-1">
        <Label htmlFor="audit-range">Time</Label>
        <NativeSelect id="audit-range" name="range" defaultValue={view.range}>
          {AUDIT_RANGES.map((r) => (
            <option key={r} value={r}>
              {AUDIT_RANGE_LABELS[r]}
            </option>
          ))}
        </NativeSelect>
      </div>
      <Button type="submit" variant="outline">
        Filter
      </Button>
      {filtered ? (
        <Button asChild variant="ghost">
          <Link href={auditHref({})}>Clear filters</Link>
        </Button>
      ) : null}
    </form>
  );
}
