// The metadata keys of a batch's calls, in the order they were first seen: the mirror records them
// as it copies, and a report's metadata columns follow them.

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
