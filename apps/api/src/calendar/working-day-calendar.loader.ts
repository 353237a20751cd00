import * as fs from 'fs';
import * as path from 'path';
import { chinaYearOf, WorkingDayCalendar, workingDayDataProblems, WorkingDayData } from '@complaints/domain/calendar/working-days';
import { chineseDaysPackageData } from './chinese-days.data';
import { WorkingDayCalendarUnavailable } from './working-day-calendar.error';

/**
 * The environment variable naming a calendar file that replaces the data of
 * the `chinese-days` package, so an operator can add a year (or correct a day)
 * without a code change or a new release.
 *
 * The file is JSON, UTF-8 (see `config/working-days.example.json`):
 *
 * ```json
 * {
 *   "$comment": "optional notes; keys starting with $ are ignored",
 *   "source": "国办发明电〔2025〕7号 (2026), 国办发明电〔2024〕12号 (2025)",
 *   "years": { "from": 2025, "to": 2026 },
 *   "holidays": ["2025-01-01", "2025-01-28", "…"],
 *   "workdays": ["2025-01-26", "2025-02-08", "…"]
 * }
 * ```
 *
 * - `years`: the years, inclusive, whose holidays and make-up days are all
 *   listed; any date outside them is refused rather than guessed.
 * - `holidays`: days off (`YYYY-MM-DD`) that would otherwise be working days;
 *   the weekend days of a holiday period may be listed too (no effect).
 * - `workdays`: make-up working days (调休), each a Saturday or a Sunday.
 *
 * The file replaces the package's data entirely: it should cover the current
 * year and the next. A bad file stops the server with every problem listed.
 */
export const WORKING_DAYS_FILE = 'WORKING_DAYS_FILE';

export const EXAMPLE_FILE = 'config/working-days.example.json';

export interface LoadWorkingDayCalendarOptions {
  /** the value of WORKING_DAYS_FILE; unset or empty: the `chinese-days` package's data */
  readonly file?: string;
  /** now, from the injected clock: its year (in China) must be covered */
  readonly now: Date;
  /** told when the current or the next year is not covered (see {@link checkCalendarCoverage}) */
  readonly onCoverageProblem?: (problem: CalendarCoverageProblem) => void;
}

/**
 * The calendar for start-up: from the file when given, else from the package;
 * validated, and checked to cover the current and the next year.
 *
 * @throws {WorkingDayCalendarUnavailable} when the data is missing or bad, listing every problem and what to do
 */
export function loadWorkingDayCalendar(options: LoadWorkingDayCalendarOptions): WorkingDayCalendar {
  const file = options.file?.trim();
  const calendar = file ? calendarFromFile(file) : calendarFromData(chineseDaysPackageData(), `set ${WORKING_DAYS_FILE} to a calendar file (format: ${EXAMPLE_FILE})`);
  const problem = checkCalendarCoverage(calendar, options.now);
  if (problem) options.onCoverageProblem?.(problem);
  return calendar;
}

/** Reads, parses and validates a calendar file (see {@link WORKING_DAYS_FILE}). */
export function calendarFromFile(file: string): WorkingDayCalendar {
  const resolved = path.resolve(file);
  const remedy = `correct ${resolved} (format: ${EXAMPLE_FILE}), or unset ${WORKING_DAYS_FILE} to use the chinese-days package's data`;
  let text: string;
  try {
    text = fs.readFileSync(resolved, 'utf8');
  } catch (error) {
    throw new WorkingDayCalendarUnavailable(`${WORKING_DAYS_FILE}=${file}: cannot read the file`, [messageOf(error)], remedy);
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new WorkingDayCalendarUnavailable(`${WORKING_DAYS_FILE}=${file}: the file is not valid JSON`, [messageOf(error)], remedy);
  }
  const problems = workingDayDataProblems(json);
  if (problems.length > 0) {
    throw new WorkingDayCalendarUnavailable(`${WORKING_DAYS_FILE}=${file}: the calendar file is refused`, problems, remedy);
  }
  const data = json as WorkingDayData;
  return WorkingDayCalendar.from({ source: `${data.source} (file ${resolved})`, years: data.years, holidays: data.holidays, workdays: data.workdays });
}

function calendarFromData(data: WorkingDayData, remedy: string): WorkingDayCalendar {
  const problems = workingDayDataProblems(data);
  if (problems.length > 0) throw new WorkingDayCalendarUnavailable(`the data of ${data.source} is refused`, problems, remedy);
  return WorkingDayCalendar.from(data);
}

/** A year the calendar lacks: the current one (an error) or the next (a warning). */
export interface CalendarCoverageProblem {
  severity: 'error' | 'warning';
  message: string;
}

/**
 * Whether the calendar covers the current year and the next, taken in China.
 * Neither stops the server: complaints are registered, dispatched and
 * answered without a holiday table. What needs one is a deadline in working
 * days, and that is refused at scheduling (409, with the reason) while its
 * year is missing, never guessed. A missing current year is an error in the
 * log and in `/health` (degraded); a missing next year a warning.
 */
export function checkCalendarCoverage(calendar: WorkingDayCalendar, now: Date): CalendarCoverageProblem | undefined {
  const current = chinaYearOf(now.toISOString());
  const howTo = (years: number[]) =>
    `once the State Council has published the holiday arrangement for ${years.join(' and ')}, either install a version of chinese-days that has it, ` +
    `or write a calendar file covering ${years.join(' and ')} (format: ${EXAMPLE_FILE}) and start the server with ${WORKING_DAYS_FILE}=/path/to/working-days.json`;
  if (!calendar.coversYear(current)) {
    return {
      severity: 'error',
      message:
        `the calendar (${calendar.source}) covers ${calendar.years.from} to ${calendar.years.to}, but not ${current} (the current year): ` +
        `every deadline in working days (the answer to a customer query) is refused until it does; ${howTo(calendar.missingYears([current, current + 1]))}`,
    };
  }
  if (calendar.coversYear(current + 1)) return undefined;
  return {
    severity: 'warning',
    message:
      `the calendar (${calendar.source}) covers ${calendar.years.from} to ${calendar.years.to}, but not ${current + 1} (the next year): ` +
      `a deadline in working days that would end in ${current + 1} is refused until it does; ${howTo([current + 1])}`,
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
