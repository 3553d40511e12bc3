// Metadata values as CSV cells. Trillet sends strings (the row of the CSV that started the batch);
// anything else (numbers, booleans, nested objects from a schema drift) is flattened to text.

export function flattenValue(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** Collects metadata keys in first-seen order (the column order of a report). */
export class KeyUnion {
  readonly #keys: Set<string>;

  constructor(known: Iterable<string> = []) {
    this.#keys = new Set(known);
  }

  get size(): number {
    return this.#keys.size;
  }

  add(metadata: Record<string, unknown>): void {
    for (const key of Object.keys(metadata)) this.#keys.add(key);
  }

  get keys(): string[] {
    return [...this.#keys];
  }
}
