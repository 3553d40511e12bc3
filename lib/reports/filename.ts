// File names that say batch, filter, format and UTC time, in characters every OS and browser keeps:
// demo-failing_failed_number-busy_20261129T1502Z.csv

function slug(value: string, max = 60): string {
  return value
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, max)
    .replace(/-+$/, "");
}

function stamp(at: Date): string {
  const iso = at.toISOString(); // 2026-11-29T15:02:07.123Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}Z`;
}

export interface FileNameInput {
  batchId: string;
  format: "report" | "retry";
  status: string;
  reason?: string;
  q?: string;
  at: Date;
}

export function exportFileName({ batchId, format, status, reason, q, at }: FileNameInput): string {
  const parts = [slug(batchId) || "batch"];
  if (format === "retry") parts.push("retry");
  else if (status !== "all") parts.push(status);
  if (reason) parts.push(slug(reason, 40) || "reason");
  if (q) parts.push(`q-${slug(q, 30) || "search"}`);
  parts.push(stamp(at));
  return `${parts.join("_")}.csv`;
}

/** A Content-Disposition header value (RFC 6266); the name is ASCII-safe already. */
export function attachment(fileName: string): string {
  return `attachment; filename="${fileName}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
