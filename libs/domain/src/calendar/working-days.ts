import { DomainError } from '../shared/domain-error';
import { Instant } from '../shared/time';

/**
 * Working days of mainland China (DOMAIN.md "Related time limits"): Monday to
 * Friday, except the public holidays of the State Council's yearly notice
 * (国务院办公厅关于部分节假日安排的通知), plus the weekend days that notice turns
 * into make-up working days (调休上班).
 *
 * The notice is published once a year, for the next year only, so the data
 * covers a declared range of years and nothing outside it: a date outside the
 * range is refused ({@link CalendarNotCovering}), never guessed as "a weekday,
 * so a working day".
 *
 * Days are calendar days in China Standard Time, a fixed UTC+8 (no daylight
 * saving since 1991), whatever the server's time zone.
 */

/** A calendar day in mainland China, `YYYY-MM-DD`. */
export type CalendarDate = string;

/**
 * The calendar as plain data: what a JSON file holds and what the
 * `chinese-days` package's data converts to.
 */
export interface WorkingDayData {
  /** where the data came from, for logs and errors: `chinese-days@1.5.7`, `file /etc/complaints/working-days.json` */
  source: string;
  /** the years, inclusive, for which every holiday and make-up day is listed */
  years: { from: number; to: number };
  /**
   * days off that would otherwise be working days (`YYYY-MM-DD`). Weekend days
   * of a holiday period may be listed as the notices list them ("10月1日至8日
   * 放假"); they change nothing.
   */
  holidays: string[];
  /** make-up working days (调休): Saturdays or Sundays that are working days (`YYYY-MM-DD`) */
  workdays: string[];
}

/**
 * A date outside the years the calendar covers: a deadline in working days
 * cannot be computed there. Kind `refused`, so a command that would schedule
 * one is refused with a reason instead of getting a guessed deadline.
 */
export class CalendarNotCovering extends DomainError {
  readonly kind = 'refused' as const;

  constructor(
    readonly date: CalendarDate,
    readonly covered: { readonly from: number; readonly to: number },
    readonly source: string,
  ) {
    super(
      'calendar.not_covering',
      `the working-day calendar (${source}) covers ${covered.from} to ${covered.to}; it has no data for ${date}`,
    );
  }
}

/** The calendar data was refused; `problems` lists every problem found, one a line in the message. */
export class InvalidWorkingDayData extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(
      [
        `Invalid working-day calendar data from ${source} (${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}):`,
        ...problems.map((p) => `  - ${p}`),
      ].join('\n'),
    );
    this.name = 'InvalidWorkingDayData';
  }
}

const DAY_MS = 86_400_000;
const CHINA_OFFSET_MS = 8 * 3_600_000;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const KNOWN_KEYS = new Set(['source', 'years', 'holidays', 'workdays']);

export class WorkingDayCalendar {
  readonly source: string;
  readonly years: { readonly from: number; readonly to: number };
  private readonly holidays: ReadonlySet<CalendarDate>;
  private readonly workdays: ReadonlySet<CalendarDate>;

  private constructor(data: WorkingDayData) {
    this.source = data.source;
    this.years = Object.freeze({ from: data.years.from, to: data.years.to });
    this.holidays = new Set(data.holidays);
    this.workdays = new Set(data.workdays);
  }

  /**
   * Validates the data as a whole and builds the calendar.
   *
   * @param data parsed JSON or {@link WorkingDayData}; checked, not trusted
   * @param sourceHint names the data in the error when `data.source` is unusable
   * @throws {InvalidWorkingDayData} listing every problem
   */
  static from(data: unknown, sourceHint = 'the given data'): WorkingDayCalendar {
    const problems = workingDayDataProblems(data);
    if (problems.length > 0) {
      const source = isRecord(data) && typeof data.source === 'string' && data.source.trim() !== '' ? data.source : sourceHint;
      throw new InvalidWorkingDayData(source, problems);
    }
    return new WorkingDayCalendar(data as WorkingDayData);
  }

  /** true when `date` (`YYYY-MM-DD`) falls in the years the calendar covers */
  covers(date: CalendarDate): boolean {
    return this.coversYear(parseCalendarDate(date).year);
  }

  coversYear(year: number): boolean {
    return year >= this.years.from && year <= this.years.to;
  }

  /** the years among `years` that the calendar does not cover, in the order given */
  missingYears(years: readonly number[]): number[] {
    return years.filter((year) => !this.coversYear(year));
  }

  /** @throws {CalendarNotCovering} outside the covered years */
  isWorkingDay(date: CalendarDate): boolean {
    this.assertCovers(date);
    if (this.workdays.has(date)) return true;
    if (this.holidays.has(date)) return false;
    return !isWeekend(date);
  }

  /**
   * The deadline of "within `n` working days" for something received at `at`:
   * the end (24:00 China Standard Time, i.e. 00:00 of the following day,
   * UTC+8) of the `n`-th working day after the day of `at`.
   *
   * The day of receipt never counts, whatever the hour; counting starts with
   * the first working day after it. So something received on a non-working day
   * is counted from the next working day: received Friday or Saturday, three
   * working days end on Wednesday at 24:00 (without holidays in between).
   * Holidays are skipped, make-up working days (调休) count.
   *
   * The deadline is returned as an instant in UTC (`…T16:00:00.000Z`); a reply
   * at or before it is in time (`notAfter(reply, deadline)`).
   *
   * @param n a whole number of working days, at least 1
   * @throws {CalendarNotCovering} when the day of `at`, or any day up to the
   *   deadline, is outside the covered years
   */
  addWorkingDays(at: Instant, n: number): Instant {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`addWorkingDays: n must be a whole number of at least 1, got ${n}`);
    let day = chinaDateOf(at);
    this.assertCovers(day);
    let counted = 0;
    while (counted < n) {
      day = addCalendarDays(day, 1);
      if (this.isWorkingDay(day)) counted += 1;
    }
    return endOfChinaDay(day);
  }

  private assertCovers(date: CalendarDate): void {
    if (!this.covers(date)) throw new CalendarNotCovering(date, this.years, this.source);
  }
}

/**
 * Every problem of the data, in a readable form; empty when the data is
 * usable. Unknown top-level keys are refused (a misspelt `holiday` must not
 * leave the calendar without holidays), except keys starting with `$` such as
 * `$comment`, which a JSON file uses for notes.
 */
export function workingDayDataProblems(data: unknown): string[] {
  if (!isRecord(data)) {
    return ['the data must be an object with "source", "years", "holidays" and "workdays"'];
  }
  const problems: string[] = [];

  for (const key of Object.keys(data)) {
    if (!KNOWN_KEYS.has(key) && !key.startsWith('$')) {
      problems.push(`unknown key "${key}"; expected "source", "years", "holidays", "workdays" (or "$comment" for notes)`);
    }
  }

  if (typeof data.source !== 'string' || data.source.trim() === '') {
    problems.push('"source" must be a non-empty string naming where the data comes from');
  }

  const years = checkYears(data.years, problems);
  const holidays = checkDateList('holidays', data.holidays, years, problems);
  const workdays = checkDateList('workdays', data.workdays, years, problems);

  for (const date of workdays) {
    if (!isWeekend(date)) problems.push(`workdays: ${date} is a ${weekdayName(date)}; a make-up working day is a Saturday or a Sunday`);
  }
  const holidaySet = new Set(holidays);
  for (const date of new Set(workdays)) {
    if (holidaySet.has(date)) problems.push(`${date} is listed both as a holiday and as a make-up working day`);
  }
  return problems;
}

/** The day in China (UTC+8) of an instant. */
export function chinaDateOf(at: Instant): CalendarDate {
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) throw new RangeError(`not an instant: ${JSON.stringify(at)}`);
  return new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** The year in China (UTC+8) of an instant: 2026-12-31T16:00Z is already 2027 there. */
export function chinaYearOf(at: Instant): number {
  return Number(chinaDateOf(at).slice(0, 4));
}

/** 24:00 China Standard Time at the end of `date`, as a UTC instant. */
export function endOfChinaDay(date: CalendarDate): Instant {
  return new Date(epochDayOf(date) * DAY_MS + DAY_MS - CHINA_OFFSET_MS).toISOString();
}

function addCalendarDays(date: CalendarDate, days: number): CalendarDate {
  return new Date((epochDayOf(date) + days) * DAY_MS).toISOString().slice(0, 10);
}

function epochDayOf(date: CalendarDate): number {
  const { year, month, day } = parseCalendarDate(date);
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

/** @throws {RangeError} when `date` is not a real `YYYY-MM-DD` date */
function parseCalendarDate(date: CalendarDate): { year: number; month: number; day: number } {
  const parsed = tryParseCalendarDate(date);
  if (!parsed) throw new RangeError(`not a date (YYYY-MM-DD): ${JSON.stringify(date)}`);
  return parsed;
}

function tryParseCalendarDate(date: unknown): { year: number; month: number; day: number } | undefined {
  if (typeof date !== 'string') return undefined;
  const match = DATE_PATTERN.exec(date);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  // Date.UTC rolls 2025-02-30 over to March; a real date survives the round trip.
  const roundTrip = new Date(Date.UTC(year, month - 1, day));
  if (roundTrip.getUTCFullYear() !== year || roundTrip.getUTCMonth() !== month - 1 || roundTrip.getUTCDate() !== day) return undefined;
  return { year, month, day };
}

function dayOfWeek(date: CalendarDate): number {
  return new Date(epochDayOf(date) * DAY_MS).getUTCDay();
}

function isWeekend(date: CalendarDate): boolean {
  const dow = dayOfWeek(date);
  return dow === 0 || dow === 6;
}

function weekdayName(date: CalendarDate): string {
  return ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'][dayOfWeek(date)];
}

function checkYears(value: unknown, problems: string[]): { from: number; to: number } | undefined {
  if (!isRecord(value)) {
    problems.push('"years" must be an object { "from": <year>, "to": <year> }');
    return undefined;
  }
  const isYear = (y: unknown): y is number => typeof y === 'number' && Number.isInteger(y) && y >= 1000 && y <= 9999;
  let ok = true;
  for (const end of ['from', 'to'] as const) {
    if (!isYear(value[end])) {
      problems.push(`"years.${end}" must be a four-digit year, got ${JSON.stringify(value[end])}`);
      ok = false;
    }
  }
  if (!ok) return undefined;
  const years = { from: value.from as number, to: value.to as number };
  if (years.from > years.to) {
    problems.push(`"years" runs backwards: from ${years.from} to ${years.to}`);
    return undefined;
  }
  return years;
}

/** The valid dates of the list; a problem for every invalid, duplicate or out-of-range entry. */
function checkDateList(name: string, value: unknown, years: { from: number; to: number } | undefined, problems: string[]): CalendarDate[] {
  if (!Array.isArray(value)) {
    problems.push(`"${name}" must be an array of dates "YYYY-MM-DD" (an empty array when there are none)`);
    return [];
  }
  const valid: CalendarDate[] = [];
  const seen = new Set<string>();
  value.forEach((entry: unknown, index) => {
    const parsed = tryParseCalendarDate(entry);
    if (!parsed) {
      problems.push(`${name}[${index}]: ${JSON.stringify(entry)} is not a date "YYYY-MM-DD"`);
      return;
    }
    const date = entry as string;
    if (seen.has(date)) {
      problems.push(`${name}[${index}]: ${date} is listed twice`);
      return;
    }
    seen.add(date);
    if (years && (parsed.year < years.from || parsed.year > years.to)) {
      problems.push(`${name}[${index}]: ${date} is outside the declared years ${years.from} to ${years.to}`);
      return;
    }
    valid.push(date);
  });
  return valid;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
