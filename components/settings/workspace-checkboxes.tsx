import Link from "next/link";

import type { WorkspaceInfo } from "@/lib/workspaces";

interface Props {
  workspaces: readonly WorkspaceInfo[];
  defaultChecked?: readonly string[];
  legend: string;
  /** An error about the list (e.g. none ticked), shown inside the fieldset and described by it. */
  error?: string | null;
  errorId?: string;
}

/** Native checkboxes named workspaceIds: the form posts the ids that are ticked. */
export function WorkspaceCheckboxes({ workspaces, defaultChecked = [], legend, error = null, errorId }: Props) {
  const errorLine = error ? (
    <p id={errorId} role="alert" className="text-sm text-destructive" data-testid="workspace-error">
      {error}
    </p>
  ) : null;
  if (workspaces.length === 0) {
    return (
      <div className="flex flex-col gap-1">
        {errorLine}
        <p className="text-sm text-muted-foreground">
          No workspace to give access to yet.{" "}
          <Link href="/settings/workspaces" className="font-medium text-foreground underline underline-offset-4">
            Add a Trillet connection
          </Link>{" "}
          first.
        </p>
      </div>
    );
  }
  return (
    <fieldset className="flex flex-col gap-2" aria-describedby={error ? errorId : undefined}>
      <legend className="mb-2 text-sm font-medium">{legend}</legend>
      {workspaces.map((w) => (
        <label key={w.id} className="flex min-h-6 items-center gap-2 text-sm">
          <input
            type="checkbox"
            name="workspaceIds"
            value={w.id}
            defaultChecked={defaultChecked.includes(w.id)}
            aria-invalid={error ? true : undefined}
            className="size-4 shrink-0 accent-primary focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring"
          />
          <span className="min-w-0 truncate">{w.name}</span>
          <span className="shrink-0 font-mono text-xs text-muted-foreground">{w.slug}</span>
        </label>
      ))}
      {errorLine}
    </fieldset>
  );
}
