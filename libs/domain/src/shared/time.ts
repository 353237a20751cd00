/** An instant as ISO-8601 text with offset (UTC `Z` when the domain computes it). */
export type Instant = string;

const MINUTE_MS = 60_000;

export function addMinutes(at: Instant, minutes: number): Instant {
  return new Date(Date.parse(at) + minutes * MINUTE_MS).toISOString();
}

/** true when `a` is at or before `b` */
export function notAfter(a: Instant, b: Instant): boolean {
  return Date.parse(a) <= Date.parse(b);
}

export function minutesBetween(from: Instant, to: Instant): number {
  return (Date.parse(to) - Date.parse(from)) / MINUTE_MS;
}
