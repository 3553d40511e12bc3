// Metadata values as CSV cells. Trillet sends strings (the row of the CSV that started the batch);
// anything else (numbers, booleans, nested objects from a schema drift) is flattened to text.

export function flattenValue(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
