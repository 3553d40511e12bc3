// Form fields and query strings as one plain object for a zod schema: a key given once is a
// string, a repeated key an array of its values (a schema that wants a list uses listOf).
import { z } from "zod";

export function fieldsOf(entries: Iterable<[string, FormDataEntryValue]>): Record<string, FormDataEntryValue | FormDataEntryValue[]> {
  // No prototype: a field named "__proto__" or "constructor" is just a field.
  const out: Record<string, FormDataEntryValue | FormDataEntryValue[]> = Object.create(null);
  for (const [key, value] of entries) {
    const seen = out[key];
    out[key] = seen === undefined ? value : [seen, value].flat();
  }
  return out;
}

/** A field that may be absent, given once or repeated (checkboxes), as an array. */
export const listOf = <T extends z.ZodType>(item: T, max: number) =>
  z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(item).max(max));
