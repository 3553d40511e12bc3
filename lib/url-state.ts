import { isSafeText } from "./http/segments";

// A page's URL state, declared once: each query parameter with its type and default. The same
// declaration reads the URL (a malformed value falls back to its default, a repeated parameter
// counts once: its first value) and writes every link to the page (defaults left out, so links stay
// short and the plain URL is the canonical one). No zod and no server-only import: client
// components use it, and the batch page's first-load budget has no room for zod.

/** What a page, a route or the browser hands over: Next's searchParams object or URLSearchParams. */
export type RawParams = URLSearchParams | Readonly<Record<string, string | string[] | undefined>>;

/** One query parameter. `read` answers undefined for a malformed value. */
export interface Param<T> {
  /** A fixed default, or one that depends on the fields declared before this one. */
  readonly default: T | ((view: Readonly<Record<string, unknown>>) => T);
  read(raw: string): T | undefined;
  write(value: T): string;
}

/** An enum parameter also lists its values (the export route's strict schema is built from them). */
export interface OneOf<V extends string | number> extends Param<V> {
  readonly values: readonly V[];
}

export const param = {
  /** One of a few strings or numbers; the default is the first unless given. */
  oneOf<const V extends string | number>(
    values: readonly [V, ...V[]],
    options: { default?: V | ((view: Readonly<Record<string, unknown>>) => V) } = {},
  ): OneOf<V> {
    return {
      values,
      default: options.default ?? values[0],
      read: (raw) => values.find((v) => String(v) === raw.trim()),
      write: String,
    };
  },

  /** A whole number in [min, max]. */
  int({ min, max, default: fallback }: { min: number; max: number; default: number }): Param<number> {
    return {
      default: fallback,
      read: (raw) => {
        const s = raw.trim();
        if (!/^-?\d{1,16}$/.test(s)) return undefined;
        const n = Number(s);
        return n >= min && n <= max ? n : undefined;
      },
      write: String,
    };
  },

  /** A page number: 1 (the default) to a million. */
  page(): Param<number> {
    return param.int({ min: 1, max: 1_000_000, default: 1 });
  },

  /**
   * Free text that may reach SQL (a search, a reason), trimmed. A control character (a NUL would
   * make the database throw) or an overlong value is no search anyone typed: it reads as none ("").
   */
  text({ max }: { max: number }): Param<string> & { readonly max: number } {
    return {
      max,
      default: "",
      read: (raw) => {
        const s = raw.trim();
        return isSafeText(s, max) ? s : undefined;
      },
      write: (v) => v,
    };
  },

  /** On or off, written "1" (off is the default and left out). */
  flag(): Param<boolean> {
    return {
      default: false,
      read: (raw) => (raw === "1" ? true : raw === "0" ? false : undefined),
      write: (v) => (v ? "1" : "0"),
    };
  },
};

type Fields = Record<string, Param<any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
export type ViewOf<F extends Fields> = { [K in keyof F]: F[K] extends Param<infer T> ? T : never };

export interface UrlState<F extends Fields> {
  readonly fields: F;
  /** The view of a URL without a query string. */
  readonly defaults: ViewOf<F>;
  /** Every field, each from its first value in the URL, or its default when missing or malformed. */
  parse(params: RawParams): ViewOf<F>;
  /** "?a=1&b=2" for the fields that differ from their default (missing ones count as default), "" when none do. */
  serialize(view: Partial<ViewOf<F>>): string;
  /** `current` with the fields given in `view` replaced (a default removes its parameter), every other parameter kept. */
  update(current: URLSearchParams, view: Partial<ViewOf<F>>): string;
}

function firstValue(params: RawParams, key: string): string | undefined {
  if (params instanceof URLSearchParams) return params.get(key) ?? undefined;
  const value = params[key];
  return Array.isArray(value) ? value[0] : value;
}

function defaultOf<T>(p: Param<T>, view: Readonly<Record<string, unknown>>): T {
  return typeof p.default === "function" ? (p.default as (view: Readonly<Record<string, unknown>>) => T)(view) : p.default;
}

/** Declares a page's URL state; fields are written in declaration order. */
export function defineUrlState<F extends Fields>(fields: F): UrlState<F> {
  const keys = Object.keys(fields) as (keyof F & string)[];

  const parse = (params: RawParams): ViewOf<F> => {
    const view: Record<string, unknown> = {};
    for (const key of keys) {
      const p = fields[key]!;
      const raw = firstValue(params, key);
      const value = raw === undefined ? undefined : p.read(raw);
      view[key] = value === undefined ? defaultOf(p, view) : value;
    }
    return view as ViewOf<F>;
  };

  const entries = (partial: Partial<ViewOf<F>>): [string, string | null][] => {
    const view: Record<string, unknown> = {};
    return keys.map((key) => {
      const p = fields[key]!;
      const fallback = defaultOf(p, view);
      const value = partial[key] === undefined ? fallback : partial[key];
      view[key] = value;
      return [key, value === fallback ? null : p.write(value)];
    });
  };

  const toQuery = (q: URLSearchParams) => {
    const s = q.toString();
    return s ? `?${s}` : "";
  };

  return {
    fields,
    defaults: parse(new URLSearchParams()),
    parse,
    serialize: (partial) => {
      const q = new URLSearchParams();
      for (const [key, value] of entries(partial)) if (value !== null) q.set(key, value);
      return toQuery(q);
    },
    update: (current, partial) => {
      const q = new URLSearchParams(current);
      for (const [key, value] of entries(partial)) {
        if (partial[key] === undefined) continue;
        if (value === null) q.delete(key);
        else q.set(key, value);
      }
      return toQuery(q);
    },
  };
}
