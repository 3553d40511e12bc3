// An audit event's detail as one compact line: `role=member workspaces=sales,support`.

function formatValue(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "string") return /[\s=]/.test(value) || value === "" ? JSON.stringify(value) : value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return value.length ? value.map(formatValue).join(",") : "none";
  return JSON.stringify(value);
}

export function formatAuditDetail(detail: Record<string, unknown> | null | undefined): string {
  if (!detail) return "";
  return Object.entries(detail)
    .map(([key, value]) => `${key}=${formatValue(value)}`)
    .join(" ");
}
