import { Rng } from './prng';

/**
 * Simulated time, in milliseconds since the epoch. The operator works on
 * Asia/Shanghai time: UTC+8 all year (no daylight saving), so plain
 * arithmetic is exact.
 */
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
const SHANGHAI_OFFSET = 8 * HOUR;

/** Halls, desks and (most) departments work 08:30 to 21:00. */
export const OPENS_AT = 8 * HOUR + 30 * MINUTE;
export const CLOSES_AT = 21 * HOUR;

/** 00:00 Asia/Shanghai of a `YYYY-MM-DD` date; undefined when it is no such date. */
export function shanghaiMidnight(date: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const utc = Date.UTC(year, month - 1, day);
  const check = new Date(utc);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined;
  return utc - SHANGHAI_OFFSET;
}

/** time of day in Shanghai, in ms since local midnight */
export function timeOfDay(at: number): number {
  return (((at + SHANGHAI_OFFSET) % DAY) + DAY) % DAY;
}

/** local midnight (Shanghai) of the day `at` falls in */
export function localMidnight(at: number): number {
  return at - timeOfDay(at);
}

export function isOpen(at: number): boolean {
  const t = timeOfDay(at);
  return t >= OPENS_AT && t < CLOSES_AT;
}

/**
 * `at` when it falls in working hours; otherwise when someone picks the work
 * up after opening: a few minutes to about an hour into the next morning.
 */
export function nextWorkingTime(at: number, rng: Rng): number {
  if (isOpen(at)) return at;
  const midnight = localMidnight(at);
  const opening = timeOfDay(at) < OPENS_AT ? midnight + OPENS_AT : midnight + DAY + OPENS_AT;
  return opening + rng.minutes(2, 55);
}

/** `2026-10-03 14:05:09` in Shanghai time */
export function formatShanghai(at: number, withSeconds = false): string {
  const text = new Date(at + SHANGHAI_OFFSET).toISOString();
  return `${text.slice(0, 10)} ${text.slice(11, withSeconds ? 19 : 16)}`;
}

/** Half-hour slots from 08:30 to 21:00, weighted by how busy halls and the call center are. */
const DAYTIME_SLOTS: ReadonlyArray<readonly [number, number]> = [
  [8.5, 3], [9, 6], [9.5, 8], [10, 10], [10.5, 10], [11, 9], [11.5, 7], [12, 5], [12.5, 5],
  [13, 6], [13.5, 7], [14, 9], [14.5, 10], [15, 10], [15.5, 9], [16, 9], [16.5, 8], [17, 7],
  [17.5, 6], [18, 5], [18.5, 5], [19, 6], [19.5, 6], [20, 5], [20.5, 3],
].map(([hour, weight]) => [hour * HOUR, weight] as const);
const DAYTIME_SLOT_MS = 30 * MINUTE;

/** Night slots (21:00 to 08:30): only the 10086 hotline and the website take complaints then. */
const NIGHT_SLOTS: ReadonlyArray<readonly [number, number, number]> = [
  // start, length, weight
  [21 * HOUR, HOUR, 5],
  [22 * HOUR, HOUR, 3],
  [23 * HOUR, HOUR, 2],
  [0, 6 * HOUR, 2],
  [6 * HOUR, HOUR, 1],
  [7 * HOUR, HOUR, 3],
  [8 * HOUR, 30 * MINUTE, 2],
];

/** A complaint's arrival on the day starting at `midnight`: mostly business hours, a few at night. */
export function arrivalTime(midnight: number, rng: Rng, night: boolean): number {
  if (night) {
    const [start, length] = rng.weighted(NIGHT_SLOTS.map(([s, l, w]) => [[s, l] as const, w] as const));
    return midnight + start + Math.floor(rng.float() * (length / 1000)) * 1000;
  }
  const slot = rng.weighted(DAYTIME_SLOTS);
  return midnight + slot + Math.floor(rng.float() * (DAYTIME_SLOT_MS / 1000)) * 1000;
}
