// Spreadsheet formula injection guard (OWASP "CSV Injection"): a cell that a spreadsheet would run
// as a formula is prefixed with a single quote so it shows as text. Phone numbers in E.164 form
// ("+" and digits only, which no spreadsheet runs as anything but a number) stay exactly as sent.

const E164 = /^\+[1-9]\d{1,14}$/;

export function isE164(value: string): boolean {
  return E164.test(value);
}

// = + - @ tab carriage-return, by character code: the check runs on every cell of a report.
const TRIGGERS = new Set([0x3d, 0x2b, 0x2d, 0x40, 0x09, 0x0d]);

/** The cell as a spreadsheet will show it: formula triggers neutralised, everything else untouched. */
export function guardCell(value: string): string {
  if (!TRIGGERS.has(value.charCodeAt(0)) || isE164(value)) return value;
  return `'${value}`;
}
