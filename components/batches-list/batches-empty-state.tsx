import { InboxIcon } from "lucide-react";

/** What a new team sees: why the list is empty and the one thing to do about it. */
export function BatchesEmptyState() {
  return (
    <div className="flex flex-col items-center gap-2 rounded-lg border border-dashed px-4 py-12 text-center" data-testid="batches-empty">
      <InboxIcon aria-hidden="true" className="size-8 text-muted-foreground" />
      <p className="font-medium">No batches here yet</p>
      <p className="max-w-prose text-sm text-muted-foreground">
        Trillet does not list a workspace&apos;s batches, so this list fills up as your team opens them. Copy a batch ID from Trillet (or a
        Batchboard link from a colleague), paste it into “Open batch” above, and the batch appears here for everyone in the workspace.
      </p>
    </div>
  );
}
