// Counts CSV records as bytes arrive (RFC 4180: a line break inside quotes is part of a field),
// so a download can say "rows so far" without parsing the file.
export class CsvRecordCounter {
  #inQuotes = false;
  #records = 0;

  push(text: string): void {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 34) this.#inQuotes = !this.#inQuotes;
      else if (c === 10 && !this.#inQuotes) this.#records++;
    }
  }

  /** Complete records so far, the header row excluded. */
  get rows(): number {
    return Math.max(0, this.#records - 1);
  }
}

/** The file name of a Content-Disposition header (our own, ASCII-safe), or a fallback. */
export function fileNameOf(disposition: string | null, fallback: string): string {
  const match = /filename="([^"]+)"/.exec(disposition ?? "");
  return match?.[1] ?? fallback;
}
