import { describe, expect, it } from "vitest";

import { batchViewSchema, parseBatchView, parseExportView } from "@/lib/batches/search-params";
import { decodeSegment, isSafeText, MAX_SEGMENT_LENGTH } from "@/lib/http/segments";

// Route segments and query values are refused before any I/O when no real ID or filter could hold them.

const pageSegment = (raw: string) => decodeSegment(raw, "page");
const routeSegment = (raw: string, maxLength?: number) => decodeSegment(raw, "route", maxLength);

describe("route segments", () => {
  it("decodes a page's percent-encoded segment once", () => {
    expect(pageSegment("demo-finished")).toBe("demo-finished");
    expect(pageSegment("bad%20id%3F")).toBe("bad id?");
    expect(pageSegment("%F0%9F%92%A9")).toBe("💩");
    // A literal "%00" in the path arrives at a page as "%2500": one decode gives back the text "%00".
    expect(pageSegment("%2500")).toBe("%00");
  });

  it("refuses malformed escapes, control characters and overlong values", () => {
    for (const raw of [
      "%E0",
      "%E0%A4%A",
      "%",
      "%ZZ",
      "%ED%A0%80",
      "%00",
      "a%00b",
      "%0A",
      "%1B%5B2J",
      "%7F",
      "%C2%85",
      "x".repeat(MAX_SEGMENT_LENGTH + 1),
    ]) {
      expect(pageSegment(raw), raw).toBeNull();
    }
    expect(pageSegment("x".repeat(MAX_SEGMENT_LENGTH))).toHaveLength(MAX_SEGMENT_LENGTH);
  });

  it("never decodes a route handler's segment again (Next already did)", () => {
    expect(routeSegment("%00")).toBe("%00");
    expect(routeSegment("job-1")).toBe("job-1");
    for (const raw of ["\u0000", "job\u0000", "\t", "\u001b", "\u009f", "\ud800", "y".repeat(300)])
      expect(routeSegment(raw), JSON.stringify(raw)).toBeNull();
    expect(routeSegment("y".repeat(300), 400)).toHaveLength(300);
  });

  it("calls text safe only when well formed, free of control characters and short enough", () => {
    expect(isSafeText("Number busy", 20)).toBe(true);
    expect(isSafeText("Número ocupado ☎", 20)).toBe(true);
    expect(isSafeText("a\u0000", 20)).toBe(false);
    expect(isSafeText("\udc00", 20)).toBe(false);
    expect(isSafeText("abc", 2)).toBe(false);
  });
});

describe("the batch view's free text", () => {
  it("falls back to no search or reason rather than carry a control character to SQL", () => {
    expect(parseBatchView({ q: "+44\u0000", reason: "number\u0000busy" })).toMatchObject({ q: "", reason: "" });
    expect(parseBatchView({ q: ["+44", "\u0000"], sort: ["[]"], page: ["2", "3"] })).toMatchObject({ q: "+44", sort: "row", page: 2 });
    expect(parseBatchView({ q: "x".repeat(201) }).q).toBe("");
    expect(batchViewSchema.parse({ q: "  +44 " }).q).toBe("+44");
  });

  it("refuses the same in an export with a message, and a repeated filter", () => {
    expect(parseExportView(new URLSearchParams("q=%00"))).toEqual({ error: "q may not contain control characters" });
    expect(parseExportView(new URLSearchParams("reason=a%0Ab"))).toEqual({ error: "reason may not contain control characters" });
    expect(parseExportView(new URLSearchParams("status=failed&status=all"))).toEqual({ error: "status may be given once" });
    expect(parseExportView(new URLSearchParams("q=%2B44"))).toMatchObject({ view: { q: "+44" } });
  });
});
