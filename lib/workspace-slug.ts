// The one rule for workspace slugs: the URL segment every workspace page lives under. Used by the
// settings (lib/env.ts), the workspace form, the access guards (a value outside it is answered
// without a query) and the "Open batch" field's link parser. No imports: safe in the browser.

/** 1 to 40 lowercase letters, digits and dashes, starting with a letter or digit. */
export const WORKSPACE_SLUG_SOURCE = "[a-z0-9][a-z0-9-]{0,39}";
export const WORKSPACE_SLUG = new RegExp(`^${WORKSPACE_SLUG_SOURCE}$`);
