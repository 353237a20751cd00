import * as fs from 'fs';
import type { WorkingDayData } from '@complaints/domain/calendar/working-days';
import { WorkingDayCalendarUnavailable } from './working-day-calendar.error';

/**
 * The default working-day data: the JSON the npm package `chinese-days` ships
 * (`dist/chinese-days.json`), maintained from the State Council's notices.
 *
 * Only the data file is read, never the package's functions: those answer for
 * any year, so outside the years the data covers they would silently take
 * every weekday for a working day (its `isWorkday('2027-10-01')` is `true`).
 * Reading a JSON file also keeps the package's module format out of the way.
 *
 * The package's format: `{ holidays: { "2025-10-01": "National Day,国庆节,3", … },
 * workdays: { "2025-09-28": "National Day,国庆节,3", … }, inLieuDays: {…} }`.
 * Holidays include the weekend days of each holiday period; `inLieuDays` (which
 * holidays are owed to a make-up day) changes nothing here and is ignored. The
 * package declares no year range: a year is covered when it has holidays
 * (every year has at least New Year's Day), and the years must be contiguous.
 */
export const CHINESE_DAYS_PACKAGE = 'chinese-days';

/** Reads and converts the installed package's data. */
export function chineseDaysPackageData(resolve: (request: string) => string = require.resolve): WorkingDayData {
  let dataFile: string;
  let packageFile: string;
  try {
    dataFile = resolve(`${CHINESE_DAYS_PACKAGE}/dist/chinese-days.json`);
    packageFile = resolve(`${CHINESE_DAYS_PACKAGE}/package.json`);
  } catch {
    throw new WorkingDayCalendarUnavailable(`the npm package ${CHINESE_DAYS_PACKAGE} is not installed (or ships no dist/chinese-days.json)`, [], 'install it (npm install) or set WORKING_DAYS_FILE to a calendar file');
  }
  const version = readJson(packageFile, 'package.json of chinese-days') as { version?: unknown };
  const source = `${CHINESE_DAYS_PACKAGE}@${typeof version.version === 'string' ? version.version : 'unknown'}`;
  return fromChineseDaysJson(readJson(dataFile, `${source} dist/chinese-days.json`), source);
}

/**
 * Converts the package's JSON to {@link WorkingDayData}; holidays are kept only
 * on weekdays, the days they actually take off.
 *
 * @throws {WorkingDayCalendarUnavailable} when the JSON is not in the expected format
 */
export function fromChineseDaysJson(json: unknown, source: string): WorkingDayData {
  const problems: string[] = [];
  const holidays = dateKeys(json, 'holidays', problems);
  const workdays = dateKeys(json, 'workdays', problems);

  const years = [...new Set(holidays.map((date) => Number(date.slice(0, 4))))].sort((a, b) => a - b);
  if (years.length === 0 && problems.length === 0) problems.push('"holidays" lists no dates: no year is covered');
  const from = years[0];
  const to = years[years.length - 1];
  for (let year = from; year < to; year += 1) {
    if (!years.includes(year)) problems.push(`the data has no holidays for ${year}, between ${from} and ${to}`);
  }
  if (problems.length > 0) {
    throw new WorkingDayCalendarUnavailable(`the data of ${source} is not in the expected format`, problems, `set WORKING_DAYS_FILE to a calendar file, or install a working version of ${CHINESE_DAYS_PACKAGE}`);
  }
  return {
    source,
    years: { from, to },
    holidays: holidays.filter((date) => !isWeekend(date)).sort(),
    workdays: [...workdays].sort(),
  };
}

function dateKeys(json: unknown, key: 'holidays' | 'workdays', problems: string[]): string[] {
  const section = typeof json === 'object' && json !== null ? (json as Record<string, unknown>)[key] : undefined;
  if (typeof section !== 'object' || section === null || Array.isArray(section)) {
    problems.push(`"${key}" must be an object keyed by date "YYYY-MM-DD"`);
    return [];
  }
  const dates = Object.keys(section);
  for (const date of dates) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) problems.push(`"${key}" has a key that is not a date: ${JSON.stringify(date)}`);
  }
  return dates.filter((date) => /^\d{4}-\d{2}-\d{2}$/.test(date));
}

function isWeekend(date: string): boolean {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return day === 0 || day === 6;
}

function readJson(file: string, what: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new WorkingDayCalendarUnavailable(`cannot read ${what} (${file})`, [error instanceof Error ? error.message : String(error)], 'set WORKING_DAYS_FILE to a calendar file');
  }
}
