import "server-only";

import { hashString, intBetween, mix, pick, rowRng } from "./random";

// The CSV rows behind the demo batches. Every value is a pure function of (seed, row index), so
// a 100,000-row batch costs no memory and two processes serve byte-identical pages.

export interface CallRow {
  phone: string;
  metadata: Record<string, string>;
}

export interface RowProfile {
  /** A custom column that only later rows carry, so a client must take the union of keys. */
  lateColumn?: { key: string; fromIndex: number; values: readonly string[] };
}

const FIRST_NAMES = [
  "Alice",
  "Bob",
  "Chloé",
  "Dmitri",
  "Émile",
  "Fatima",
  "George",
  "Hana",
  "Ivan",
  "Jürgen",
  "Kenji",
  "Léa",
  "María",
  "Nikolai",
  "Olu",
  "Priya",
  "Quinn",
  "Raj",
  "Siobhán",
  "Tomás",
  "Uma",
  "Wei",
  "Xavier",
  "Yara",
  "Zoë",
  "結衣",
  "أحمد",
  "Νίκος",
  "Дмитрий",
  "प्रिया",
] as const;

const LAST_NAMES = [
  "Smith",
  "O'Brien",
  "García",
  "Müller",
  "Nguyen",
  "Kowalski",
  "Tanaka",
  "Dubois",
  "Rossi",
  "Silva",
  "Okafor",
  "Johansson",
  "van der Berg",
  "Smith-Jones",
  "山田",
  "الحسيني",
  "Παπαδόπουλος",
  "Иванова",
  "शर्मा",
] as const;

// Several of these look like formulas or need CSV quoting, as real company names sometimes do.
const COMPANIES = [
  "Acme Corp",
  "Globex",
  "Initech",
  "Umbrella, Ltd.",
  "Stark Industries",
  "Wayne Enterprises",
  'The "Best" Widgets',
  "Müller & Söhne GmbH",
  "株式会社サンプル",
  "@Home Realty",
  "+Plus Media",
  "-Minus Labs",
  "Hooli",
  "Soylent",
] as const;

const PLANS = ["Free", "Starter", "Pro", "Enterprise", "Pro (annual)"] as const;

const REGIONS = ["North America", "EMEA", "APAC", "LATAM", "Île-de-France", "Baden-Württemberg"] as const;

const PLAIN_NOTES = [
  "Interested in a demo",
  "Call back next week",
  "Prefers mornings",
  "Existing customer",
  "Asked for pricing",
  "Referral from partner",
  "",
] as const;

/**
 * Values that break naive CSV writers, spreadsheet imports and renderers. They are cycled through
 * every fourth row, so the 150-row batch already contains each of them at least once.
 */
export const TRICKY_VALUES = [
  "Likes calls, but only after 5pm, CET",
  'She said "call me back" twice',
  '"Fully quoted"',
  "Line one\nLine two",
  "Windows line\r\nsecond line",
  "Trailing newline\n",
  "東京都渋谷区の担当者",
  "مرحبا، نود التحدث معك",
  "Καλημέρα σας",
  "Привет, перезвоните позже",
  "नमस्ते, कृपया बाद में कॉल करें",
  "Loves it 🎉👍",
  "Team 👩‍💻 and family 👨‍👩‍👧‍👦 🏳️‍🌈",
  '=HYPERLINK("http://x.example","click")',
  "+1+2",
  "-2+3",
  "@SUM(1,2)",
  "\t=1+1",
  "\r=1+1",
  "  padded with spaces  ",
  'Mixed: comma, "quote"\nand newline',
] as const;

// Country code + national prefix; 7 more digits follow, giving each country's usual mobile length.
const PHONE_PLANS = [
  ["1", "555"],
  ["44", "770"],
  ["49", "1512"],
  ["33", "61"],
  ["81", "901"],
  ["61", "41"],
  ["91", "981"],
  ["55", "1198"],
  ["971", "50"],
  ["234", "803"],
] as const;

const SALT_NAMES = hashString("names");
const SALT_CUSTOM = hashString("custom");

/**
 * Unique within a batch by construction: the 7 digits are index * 7919 + offset mod 10^7, a
 * bijection for any index below 10^7 (7919 is coprime to 10).
 */
export function phoneFor(seed: number, index: number): string {
  const plan = PHONE_PLANS[index % PHONE_PLANS.length] ?? PHONE_PLANS[0];
  const digits = (index * 7919 + (seed % 10_000_000)) % 10_000_000;
  return `+${plan[0]}${plan[1]}${String(digits).padStart(7, "0")}`;
}

/** UUID-shaped but collision-free: the last group is the row index. */
export function jobIdFor(seed: number, index: number): string {
  const a = mix(seed, index);
  const b = mix(a, 0x5eed);
  const hex = (n: number, len: number) => (n >>> 0).toString(16).padStart(8, "0").slice(-len);
  const variant = "89ab"[b >>> 30] ?? "8";
  return `${hex(seed, 8)}-${hex(a, 4)}-4${hex(a >>> 16, 3)}-${variant}${hex(b, 3)}-${index.toString(16).padStart(12, "0")}`;
}

function asciiSlug(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[^A-Za-z]/g, "")
    .toLowerCase();
}

export function buildRow(seed: number, index: number, profile: RowProfile): CallRow {
  const names = rowRng(seed, index, SALT_NAMES);
  const custom = rowRng(seed, index, SALT_CUSTOM);
  const first = pick(names, FIRST_NAMES);
  const last = pick(names, LAST_NAMES);
  const localPart = [asciiSlug(first), asciiSlug(last)].filter(Boolean).join(".") || "contact";

  const metadata: Record<string, string> = {
    first_name: first,
    last_name: last,
    email: `${localPart}.${index}@example.com`,
    company: pick(custom, COMPANIES),
  };
  // Gaps at fixed strides, so the union of keys differs from any single row's keys.
  if (index % 7 !== 3) metadata.plan = pick(custom, PLANS);
  const tricky = index % 4 === 1;
  if (tricky) {
    metadata.notes = TRICKY_VALUES[Math.floor(index / 4) % TRICKY_VALUES.length] ?? "";
  } else if (index % 13 !== 12) {
    metadata.notes = pick(custom, PLAIN_NOTES);
  }
  if (index % 11 !== 6) metadata.region = pick(custom, REGIONS);
  const late = profile.lateColumn;
  if (late && index >= late.fromIndex && intBetween(custom, 0, 9) > 0) {
    metadata[late.key] = pick(custom, late.values);
  }
  return { phone: phoneFor(seed, index), metadata };
}
