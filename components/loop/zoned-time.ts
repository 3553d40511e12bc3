// A wall-clock time in a named time zone as epoch milliseconds ("2026-12-01T09:30" in
// "Europe/Paris"), without a library: the zone's offset read from Intl at that moment, twice, so
// a time next to a daylight-saving change lands on the right side of it.

function offsetAt(epoch: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(epoch));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return asUtc - Math.floor(epoch / 1000) * 1000;
}

/** Null when the text is not a date and time or the zone is unknown. */
export function zonedTimeToEpoch(local: string, timeZone: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!match) return null;
  const [, y, mo, d, h, mi] = match.map(Number) as [number, number, number, number, number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  try {
    const first = wall - offsetAt(wall, timeZone);
    return wall - offsetAt(first, timeZone);
  } catch {
    return null;
  }
}
