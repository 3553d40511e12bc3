import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";

import { CallsTable, SORT_UNAVAILABLE } from "@/components/batches/calls-table";

// Before a batch is copied the calls come straight from Trillet in its own order: the headers
// must not claim an order or offer a sort that does nothing (issue 17: "Duration sorted
// descending" over rows 53 s, 42 s, 56 s). Rendered as the server sends it.

const render = (sortUnavailable: boolean) =>
  renderToStaticMarkup(
    createElement(CallsTable, { calls: [], caption: "Calls", sort: "-duration", sortHref: (s: string) => `?sort=${s}`, sortUnavailable }),
  );
const head = (html: string) => html.slice(html.indexOf("<thead"), html.indexOf("</thead>"));

describe("the calls table's sort headers", () => {
  it("before the copy: no aria-sort, no sort link, and each sortable header says why", () => {
    const html = head(render(true));
    expect(html).not.toContain("aria-sort");
    expect(html).not.toContain("<a ");
    const unavailable = html.match(/data-sort-unavailable/g) ?? [];
    expect(unavailable.length).toBeGreaterThanOrEqual(4);
    expect(html.split(`<span class="sr-only">, ${SORT_UNAVAILABLE}</span>`).length - 1).toBe(unavailable.length);
  });

  it("once copied: the sorted column claims its order and every sortable header links", () => {
    const html = head(render(false));
    const sorted = /<th[^>]*aria-sort="descending"[^>]*>((?:(?!<\/th>)[\s\S])*)<\/th>/.exec(html);
    expect(sorted?.[1]).toContain("Duration");
    expect(html.match(/aria-sort=/g)).toHaveLength(1);
    expect(html).not.toContain("data-sort-unavailable");
    // Descending is the second step of the cycle: its link leads back to Trillet's order.
    expect(html).toContain('href="?sort=row"');
  });
});
