/**
 * A time as RFC 3339 in UTC with milliseconds, exactly as `Date.prototype.toISOString` writes it
 * (`2026-11-30T15:53:05.300Z`). Written out by hand because the first `toISOString` call of a
 * process costs ~1 ms (V8 sets up its date formatting), a noticeable part of a listing that
 * prints one `waiting_since`; the UTC getters cost nothing. Years outside 0–9999, which RFC 3339
 * cannot write, are left to `toISOString`.
 */
export function rfc3339(date: Date): string {
  const year = date.getUTCFullYear();
  if (!(year >= 0 && year <= 9999)) return date.toISOString();
  return (
    `${pad(year, 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}` +
    `T${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}.${pad(date.getUTCMilliseconds(), 3)}Z`
  );
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}
