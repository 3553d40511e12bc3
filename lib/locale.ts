/**
 * The viewer's locale for numbers, from the request's Accept-Language: the server picks it once
 * per request and hands it to the browser (LocaleProvider), so both render the same text and
 * hydration never sees two spellings of one number. Falls back to "en-US".
 */
export const FALLBACK_LOCALE = "en-US";

export function negotiateLocale(acceptLanguage: string | null | undefined): string {
  if (!acceptLanguage) return FALLBACK_LOCALE;
  const ranked = acceptLanguage
    .split(",")
    .map((part, index) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
      const weight = q ? Number(q.slice(2)) : 1;
      return { tag: tag.trim(), weight: Number.isFinite(weight) ? weight : 0, index };
    })
    .filter((entry) => entry.tag !== "" && entry.tag !== "*" && entry.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.index - b.index);
  for (const { tag } of ranked) {
    try {
      const [supported] = Intl.NumberFormat.supportedLocalesOf(tag);
      if (supported) return supported;
    } catch {
      // A malformed tag: try the next one.
    }
  }
  return FALLBACK_LOCALE;
}

const formats = new Map<string, Intl.NumberFormat>();

/** A cached number format of a locale (a few locales per process at most). */
export function numberFormat(locale: string): Intl.NumberFormat {
  let format = formats.get(locale);
  if (!format) {
    format = new Intl.NumberFormat(locale);
    if (formats.size < 100) formats.set(locale, format);
  }
  return format;
}
