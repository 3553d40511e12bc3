import { describe, expect, it } from "vitest";

import { auditUrl } from "@/app/settings/audit/search-params";
import { openBatchTarget } from "@/components/batches-list/open-target";
import { batchListState } from "@/lib/batches/batch-list-view";
import { drilldownState, failuresHref } from "@/lib/batches/drilldown-view";
import { exportViewSchema, parseExportView } from "@/lib/batches/search-params";
import { batchViewState, callSheetState, exportQuery, exportState } from "@/lib/batches/view-query";
import { defineUrlState, param, type Param, type UrlState } from "@/lib/url-state";

// Every page's URL state is declared once (lib/url-state.ts): reading a URL and writing a link to it
// must agree, defaults stay out of links, and what no link writes falls back rather than fails.

const PAGES = { batch: batchViewState, drilldown: drilldownState, batchList: batchListState, callSheet: callSheetState, audit: auditUrl };

// Views that differ from the defaults in every field, and in some.
const SAMPLES: { [K in keyof typeof PAGES]: Partial<ReturnType<(typeof PAGES)[K]["parse"]>>[] } = {
  batch: [
    { status: "failed", page: 3, limit: 50, q: "+44 7700", sort: "-duration", reason: "Number busy" },
    { status: "completed", sort: "phone" },
    { limit: 100, q: "a&b=c?d#e %", reason: "ünïcødé ☎" },
    { page: 1_000_000 },
  ],
  drilldown: [{ reason: "number busy", page: 2 }, { page: 7 }, { reason: "voicemail&more" }],
  batchList: [{ sort: "label" }, { sort: "label", dir: "desc" }, { sort: "total", dir: "asc" }, { dir: "asc" }, { sort: "refreshed" }],
  callSheet: [{ call: "job-1" }, { call: "job with spaces/and%" }],
  audit: [{ action: "auth.sign_in", who: "ada@example.com", range: "7d", page: 3 }, { who: "Ada & Bob" }, { range: "24h" }],
};

describe("each page's URL state", () => {
  // Looked at as any page's state: the fields differ, the contract does not.
  for (const [name, state] of Object.entries(PAGES) as [keyof typeof PAGES, UrlState<Record<string, Param<unknown>>>][]) {
    it(`${name}: leaves the defaults out of a link and reads them back from a bare URL`, () => {
      expect(state.serialize(state.defaults)).toBe("");
      expect(state.serialize({})).toBe("");
      expect(state.parse({})).toEqual(state.defaults);
      expect(state.parse(new URLSearchParams())).toEqual(state.defaults);
    });

    it(`${name}: parse → serialize → parse gives the same view, from an object or URLSearchParams`, () => {
      for (const sample of SAMPLES[name]) {
        const view = { ...state.defaults, ...sample };
        const query = state.serialize(view);
        expect(query, JSON.stringify(sample)).toMatch(/^\?./);
        const fromUrl = state.parse(new URLSearchParams(query));
        expect(fromUrl).toEqual(view);
        expect(state.parse(Object.fromEntries(new URLSearchParams(query)))).toEqual(view);
        expect(state.serialize(fromUrl)).toBe(query);
        // A field left at its default is never written (for a derived default: the one the view's earlier fields give).
        for (const [key, value] of Object.entries(view)) {
          const rest = Object.fromEntries(Object.entries(view).filter(([k]) => k !== key));
          if (value === state.parse(new URLSearchParams(state.serialize(rest)))[key]) {
            expect(new URLSearchParams(query).has(key), key).toBe(false);
          }
        }
      }
    });
  }

  it("writes fields in declaration order, so links read the same everywhere", () => {
    expect(batchViewState.serialize({ reason: "x", status: "failed", limit: 50, page: 2 })).toBe("?status=failed&page=2&limit=50&reason=x");
  });

  it("falls back to each default for a malformed value", () => {
    expect(
      batchViewState.parse({ status: "bogus", page: "-4", limit: "7", sort: "password", q: "a\u0000", reason: "x".repeat(301) }),
    ).toEqual(batchViewState.defaults);
    for (const page of ["0", "1.5", "", "abc", "1e3", "1000001", "99999999999999999999"]) {
      expect(batchViewState.parse({ page }).page, page).toBe(1);
      expect(drilldownState.parse({ page }).page, page).toBe(1);
    }
    expect(batchViewState.parse({ limit: "50", q: " +44 ", page: " 3 " })).toMatchObject({ limit: 50, q: "+44", page: 3 });
    expect(batchViewState.parse({ q: "x".repeat(200) }).q).toHaveLength(200);
    expect(batchViewState.parse({ q: "x".repeat(201) }).q).toBe("");
    expect(drilldownState.parse({ reason: "a\nb" }).reason).toBe("");
    expect(callSheetState.parse({ call: "\u0000" }).call).toBe("");
    // A malformed dir is the chosen column's own direction.
    expect(batchListState.parse({ sort: "label", dir: "sideways" })).toEqual({ sort: "label", dir: "asc" });
    expect(batchListState.parse({ sort: "password" })).toEqual(batchListState.defaults);
  });

  it("takes the first of a repeated parameter", () => {
    expect(batchViewState.parse({ status: ["failed", "all"], page: ["2", "3"], q: ["+44", "\u0000"] })).toMatchObject({
      status: "failed",
      page: 2,
      q: "+44",
    });
    expect(batchViewState.parse(new URLSearchParams("status=failed&status=all&page=2&page=3"))).toMatchObject({
      status: "failed",
      page: 2,
    });
    // The first value decides, even when it is the malformed one.
    expect(batchViewState.parse(new URLSearchParams("status=bogus&status=failed")).status).toBe("all");
    expect(drilldownState.parse({ reason: ["busy", "voicemail"], page: ["4"] })).toEqual({ reason: "busy", page: 4 });
    expect(batchListState.parse({ sort: ["refreshed", "label"], dir: ["asc"] })).toEqual({ sort: "refreshed", dir: "asc" });
  });

  it("updates its own parameters in a URL and keeps every other one", () => {
    const current = new URLSearchParams("status=failed&call=job-1&utm=x");
    expect(callSheetState.update(current, { call: "job-2" })).toBe("?status=failed&call=job-2&utm=x");
    expect(callSheetState.update(current, { call: "" })).toBe("?status=failed&utm=x");
    expect(batchViewState.update(current, { page: 2 })).toBe("?status=failed&call=job-1&utm=x&page=2");
    expect(batchViewState.update(new URLSearchParams("page=2"), { page: 1 })).toBe("");
  });

  it("supports a default that depends on an earlier field", () => {
    const state = defineUrlState({
      kind: param.oneOf(["a", "b"]),
      size: param.int({ min: 1, max: 9, default: 5 }),
      on: param.flag(),
      order: param.oneOf(["up", "down"], { default: (v) => (v.kind === "a" ? "up" : "down") }),
    });
    expect(state.defaults).toEqual({ kind: "a", size: 5, on: false, order: "up" });
    expect(state.serialize({ kind: "b" })).toBe("?kind=b");
    expect(state.serialize({ kind: "b", order: "up" })).toBe("?kind=b&order=up");
    expect(state.serialize({ on: true })).toBe("?on=1");
    expect(state.parse({ on: "0", size: "10" })).toEqual(state.defaults);
    expect(state.parse({ kind: "b", order: "nope" }).order).toBe("down");
  });
});

describe("links to the pages", () => {
  it("the failures page, from a batch page's path", () => {
    expect(failuresHref("/w/acme/batches/b1")).toBe("/w/acme/batches/b1/failed");
    expect(failuresHref("/w/acme/batches/b1", { reason: "number busy", page: 1 })).toBe("/w/acme/batches/b1/failed?reason=number+busy");
  });

  it("a pasted link reopens its view, rewritten by the page's declaration", () => {
    expect(openBatchTarget("home", "http://h/w/acme/batches/b1?status=failed&page=2&junk=1&call=job-1")).toEqual({
      ok: true,
      href: "/w/acme/batches/b1?status=failed&page=2&call=job-1",
    });
    expect(openBatchTarget("home", "/w/acme/batches/b1?status=bogus&limit=20")).toEqual({ ok: true, href: "/w/acme/batches/b1" });
    expect(openBatchTarget("home", "https://x.example/w/acme/batches/b1/failed?reason=busy&page=1&page=3")).toEqual({
      ok: true,
      href: "/w/acme/batches/b1/failed?reason=busy",
    });
  });

  it("a link pasted without its scheme opens the batch", () => {
    for (const host of ["localhost:3000", "127.0.0.1:3000", "localhost", "batchboard.example.com", "[::1]:3000"]) {
      expect(openBatchTarget("home", `${host}/w/acme/batches/demo-live?status=failed`), host).toEqual({
        ok: true,
        href: "/w/acme/batches/demo-live?status=failed",
      });
    }
    expect(openBatchTarget("home", "localhost:3000/w/acme/settings")).toEqual({
      ok: false,
      message: "That link does not point at a batch.",
    });
    expect(openBatchTarget("home", "localhost:3000/w/acme/batches/%E0")).toEqual({ ok: false, message: "That link could not be read." });
    // A bare ID is still a bare ID.
    expect(openBatchTarget("home", "demo-live")).toEqual({ ok: true, href: "/w/home/batches/demo-live" });
    expect(openBatchTarget("home", "demo live")).toMatchObject({ ok: false, message: expect.stringContaining("is not a batch ID") });
  });
});

describe("the export query", () => {
  it("is written from the view's filters and read back by the export route", () => {
    const filter = { status: "completed", reason: "Number busy", q: "+44" } as const;
    const query = exportQuery(filter, { format: "report", bom: true });
    expect(query).toBe("?status=completed&reason=Number+busy&q=%2B44&bom=1");
    expect(parseExportView(new URLSearchParams(query))).toEqual({ view: { ...filter, format: "report", bom: true } });
    expect(exportState.parse(new URLSearchParams(query))).toEqual({ ...filter, format: "report", bom: true });
  });

  it("leaves defaults out, and a retry file's status (the route makes it failed)", () => {
    expect(exportQuery({}, { format: "report", bom: false })).toBe("");
    expect(exportQuery({ status: "all", reason: "", q: "" }, { format: "report", bom: false })).toBe("");
    expect(exportQuery({ status: "completed", reason: "busy" }, { format: "retry", bom: false })).toBe("?reason=busy&format=retry");
    expect(parseExportView(new URLSearchParams("?reason=busy&format=retry"))).toEqual({
      view: { status: "failed", reason: "busy", q: "", format: "retry", bom: false },
    });
    expect(exportQuery({ status: "nonsense" }, { format: "report", bom: false })).toBe("");
  });

  it("has the route's defaults and values from the same declaration", () => {
    expect(exportViewSchema.parse({})).toEqual(exportState.defaults);
    expect(parseExportView(new URLSearchParams("status=bogus"))).toEqual({
      error: `status must be one of ${batchViewState.fields.status.values.join(", ")}`,
    });
    expect(parseExportView(new URLSearchParams("format=zip"))).toEqual({ error: "format must be report or retry" });
    expect(parseExportView(new URLSearchParams(`q=${"x".repeat(201)}`))).toEqual({ error: "q is too long (200 characters at most)" });
  });
});
