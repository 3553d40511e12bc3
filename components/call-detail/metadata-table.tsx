import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { cn } from "@/lib/utils";

const collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });

/**
 * A call's metadata as a key/value table. Keys are sorted: the database does not keep Trillet's
 * key order, and a fixed order lets people compare two calls at a glance.
 */
export function MetadataTable({
  metadata,
  caption = "Metadata",
  className,
}: {
  metadata: Record<string, string>;
  caption?: string;
  className?: string;
}) {
  const entries = Object.entries(metadata).sort(([a], [b]) => collator.compare(a, b));
  if (entries.length === 0) {
    return (
      <p className={cn("text-sm text-muted-foreground", className)} data-testid="metadata-empty">
        This call has no metadata.
      </p>
    );
  }
  // Fixed layout so long values wrap instead of making the table scroll sideways on a phone.
  return (
    <Table data-testid="metadata-table" className={cn("table-fixed", className)}>
      <TableCaption className="sr-only">{caption}</TableCaption>
      <TableHeader>
        <TableRow>
          <TableHead scope="col" className="w-1/3">
            Key
          </TableHead>
          <TableHead scope="col">Value</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {entries.map(([key, value]) => (
          <TableRow key={key} data-key={key}>
            <TableHead
              scope="row"
              className="h-auto py-2 align-top font-mono text-xs font-normal whitespace-normal text-muted-foreground [overflow-wrap:anywhere]"
            >
              {key}
            </TableHead>
            <TableCell className="align-top break-words whitespace-pre-wrap [overflow-wrap:anywhere]">
              {value === "" ? <span className="text-muted-foreground">(empty)</span> : value}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
