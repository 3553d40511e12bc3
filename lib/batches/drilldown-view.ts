import { defineUrlState, param, type ViewOf } from "../url-state";

// The failure drilldown's URL state, declared once: the page reads it and every link to the page
// (the batch header's Failures button, reason rows, pagination, try again) writes it. Client-safe.

export const drilldownState = defineUrlState({
  // A reason key from the list; anything else selects nothing. Compared with the copy's reason keys
  // only, but still never text a query could choke on.
  reason: param.text({ max: 300 }),
  // The reason's page of calls; until the batch is copied, Trillet's page of failed calls.
  page: param.page(),
});

export type DrilldownView = ViewOf<typeof drilldownState.fields>;

export const parseDrilldownView = drilldownState.parse;
export const drilldownQuery = drilldownState.serialize;

/** The drilldown of the batch page at `batchHref`, showing `view`. */
export function failuresHref(batchHref: string, view: Partial<DrilldownView> = {}): string {
  return `${batchHref}/failed${drilldownQuery(view)}`;
}
