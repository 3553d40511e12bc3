/**
 * The contact a call was for, from its metadata (Trillet keeps whatever columns the uploaded file
 * had). The rule, first match wins, keys compared case-insensitively with spaces and dashes read
 * as underscores:
 *   1. a whole name: `name`, `full_name`, `contact_name`, `contact`, `customer_name`;
 *   2. `first_name` and `last_name`, joined by a space (either alone is enough);
 * otherwise null (the table shows a dash).
 */
const WHOLE = ["name", "full_name", "contact_name", "contact", "customer_name"];

export function contactName(metadata: Record<string, string>): string | null {
  const byKey = new Map<string, string>();
  for (const [key, value] of Object.entries(metadata)) {
    const normal = key
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, "_");
    const text = value.trim();
    if (text && !byKey.has(normal)) byKey.set(normal, text);
  }
  for (const key of WHOLE) {
    const value = byKey.get(key);
    if (value) return value;
  }
  const parts = [byKey.get("first_name"), byKey.get("last_name")].filter(Boolean);
  return parts.length > 0 ? parts.join(" ") : null;
}
