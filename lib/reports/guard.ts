// Spreadsheet formula injection guard (OWASP "CSV Injection"): a cell that a spreadsheet would run
// as a formula is prefixed with a single quote so it shows as text. Phone numbers in E.164 form
// ("+" and digits only, which no spreadsheet runs as anything but a number) stay exactly as sent.

const E164 = /^\+[1-9]\d{1,14}$/;
const FORMULA_START = /^[=+\-@\t\r]/;

export function isE164(value: string): boolean {
  return E164.test(value);
}

/** The cell as a spreadsheet will show it: formula triggers neutralised, everything else untouched. */
export function guardCell(value: string): string {
  if (!FORMULA_START.test(value) || isE164(value)) return value;
  return `'${value}`;
}
