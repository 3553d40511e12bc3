import { describe, expect, it } from "vitest";

import { csvStream, type CsvChunk } from "@/lib/reports/writer";

// A download stopped from outside (the server shutting down) fails at once, while the reader is
// waiting for the next chunk: it never ends cleanly short, and its copy is never kept.

const encode = (text: string) => new TextEncoder().encode(text);

/** A source that yields one chunk, then waits until it is told to go on (a slow walk). */
function slowSource() {
  let release: () => void = () => {};
  const waiting = new Promise<void>((resolve) => (release = resolve));
  let returned = false;
  async function* chunks(): AsyncGenerator<CsvChunk> {
    try {
      yield { bytes: encode("id\r\n"), rows: 0 };
      await waiting;
      yield { bytes: encode("1\r\n"), rows: 1 };
    } finally {
      returned = true;
    }
  }
  return { chunks, release, returned: () => returned };
}

describe("csvStream stopped by its signal", () => {
  it("errors the stream with the reason, reports it once, discards the copy, never completes", async () => {
    const source = slowSource();
    const stop = new AbortController();
    const events: string[] = [];
    const body = csvStream(source.chunks, {
      signal: stop.signal,
      copy: {
        write: async () => void events.push("copy.write"),
        commit: async () => void events.push("copy.commit"),
        discard: async () => void events.push("copy.discard"),
      },
      onComplete: () => void events.push("complete"),
      onError: (error, rows) => void events.push(`error:${(error as Error).message}:${rows}`),
      onCancel: () => void events.push("cancel"),
    });
    const reader = body.getReader();
    expect((await reader.read()).value?.byteLength).toBe(0); // headers flushed
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("id\r\n");
    const next = reader.read(); // waits on the slow source
    stop.abort(new Error("server restarting"));
    await expect(next).rejects.toThrow("server restarting");
    // The source finishing afterwards changes nothing.
    source.release();
    await new Promise((r) => setTimeout(r, 20));
    expect(events).toEqual(["copy.write", "copy.discard", "error:server restarting:0"]);
  });

  it("does nothing to a download that already completed", async () => {
    const stop = new AbortController();
    const events: string[] = [];
    async function* chunks(): AsyncGenerator<CsvChunk> {
      yield { bytes: encode("id\r\n1\r\n"), rows: 1 };
    }
    const body = csvStream(chunks, {
      signal: stop.signal,
      onComplete: (rows) => void events.push(`complete:${rows}`),
      onError: () => void events.push("error"),
    });
    expect(await new Response(body).text()).toBe("id\r\n1\r\n");
    stop.abort(new Error("late"));
    expect(events).toEqual(["complete:1"]);
  });
});
