import 'reflect-metadata';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Global, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CLOCK, ManualClock } from '@complaints/application';
import { daysBetween, mainlandChina2025and2026 } from '@complaints/domain/calendar/mainland-china-2025-2026.fixture';
import { WorkingDayCalendar } from '@complaints/domain/calendar/working-days';
import { HealthRegistry } from '../platform/observability/health-registry';
import { CalendarModule, WORKING_DAY_CALENDAR } from './calendar.module';
import { chineseDaysPackageData, fromChineseDaysJson } from './chinese-days.data';
import { WorkingDayCalendarUnavailable } from './working-day-calendar.error';
import { calendarFromFile, checkCalendarCoverage, loadWorkingDayCalendar, WORKING_DAYS_FILE } from './working-day-calendar.loader';

const EXAMPLE = path.resolve(__dirname, '../../../../config/working-days.example.json');
const MID_2025 = new Date('2025-06-01T02:00:00Z');
const MID_2026 = new Date('2026-06-01T02:00:00Z');
const notices = WorkingDayCalendar.from(mainlandChina2025and2026());

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'working-days-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function writeFile(name: string, content: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

function failureOf(run: () => unknown): WorkingDayCalendarUnavailable {
  try {
    run();
  } catch (error) {
    if (error instanceof WorkingDayCalendarUnavailable) return error;
    throw error;
  }
  throw new Error('expected the calendar to be refused');
}

/** true when both calendars agree on every day of 2025 and 2026 */
function disagreements(calendar: WorkingDayCalendar): string[] {
  return daysBetween('2025-01-01', '2026-12-31').filter((day) => calendar.isWorkingDay(day) !== notices.isWorkingDay(day));
}

describe('the chinese-days package data (the default)', () => {
  const data = chineseDaysPackageData();
  const fromPackage = WorkingDayCalendar.from(data);

  it('is valid, names the package version, and covers 2025 and 2026', () => {
    expect(data.source).toMatch(/^chinese-days@\d+\.\d+\.\d+$/);
    expect(data.years.from).toBeLessThanOrEqual(2025);
    expect(data.years.to).toBeGreaterThanOrEqual(2026);
  });

  it('agrees with the State Council notices on every day of 2025 and 2026', () => {
    expect(disagreements(fromPackage)).toEqual([]);
  });

  it('keeps only the holidays that take a weekday off', () => {
    expect(data.holidays).toContain('2025-10-08');
    expect(data.holidays).not.toContain('2025-10-04'); // a Saturday
    expect(data.workdays).toEqual(expect.arrayContaining(['2025-09-28', '2025-10-11', '2026-02-14', '2026-02-28']));
  });

  it('refuses data in another format, listing the problems', () => {
    expect(failureOf(() => fromChineseDaysJson({ holidays: ['2025-10-01'] }, 'chinese-days@9.9.9')).problems).toEqual([
      '"holidays" must be an object keyed by date "YYYY-MM-DD"',
      '"workdays" must be an object keyed by date "YYYY-MM-DD"',
    ]);
    const gap = failureOf(() => fromChineseDaysJson({ holidays: { '2024-01-01': 'x', '2026-01-01': 'x', 'New Year': 'x' }, workdays: {} }, 'chinese-days@9.9.9'));
    expect(gap.problems).toEqual(['"holidays" has a key that is not a date: "New Year"', 'the data has no holidays for 2025, between 2024 and 2026']);
    expect(gap.message).toContain('the data of chinese-days@9.9.9 is not in the expected format');
  });

  it('reports a missing package with what to do', () => {
    const missing = failureOf(() =>
      chineseDaysPackageData(() => {
        throw new Error('Cannot find module');
      }),
    );
    expect(missing.message).toContain('chinese-days is not installed');
    expect(missing.message).toContain('WORKING_DAYS_FILE');
  });
});

describe('a calendar file (WORKING_DAYS_FILE)', () => {
  it('loads the shipped example, which agrees with the notices', () => {
    const calendar = loadWorkingDayCalendar({ file: EXAMPLE, now: MID_2025 });
    expect(calendar.years).toEqual({ from: 2025, to: 2026 });
    expect(calendar.source).toContain(`(file ${EXAMPLE})`);
    expect(disagreements(calendar)).toEqual([]);
  });

  it('replaces the package data: a day changed in the file changes the answer', () => {
    const data = mainlandChina2025and2026();
    const file = writeFile('extra-day-off.json', { ...data, source: 'with an extra day off', holidays: [...data.holidays, '2025-12-31'] });
    const calendar = loadWorkingDayCalendar({ file, now: MID_2025 });
    expect(calendar.isWorkingDay('2025-12-31')).toBe(false);
    expect(calendar.source).toBe(`with an extra day off (file ${file})`);
  });

  it('refuses a bad file, listing every problem and pointing to the format', () => {
    const file = writeFile('bad.json', {
      source: 'typed by hand',
      years: { from: 2025, to: 2026 },
      holidays: ['2025-10-01', '2025-13-01'],
      workdays: ['2025-10-01'],
    });
    const error = failureOf(() => loadWorkingDayCalendar({ file, now: MID_2025 }));
    expect(error.problems).toEqual([
      'holidays[1]: "2025-13-01" is not a date "YYYY-MM-DD"',
      'workdays: 2025-10-01 is a Wednesday; a make-up working day is a Saturday or a Sunday',
      '2025-10-01 is listed both as a holiday and as a make-up working day',
    ]);
    expect(error.message).toBe(
      [
        `Working-day calendar unavailable: WORKING_DAYS_FILE=${file}: the calendar file is refused (3 problems):`,
        '  - holidays[1]: "2025-13-01" is not a date "YYYY-MM-DD"',
        '  - workdays: 2025-10-01 is a Wednesday; a make-up working day is a Saturday or a Sunday',
        '  - 2025-10-01 is listed both as a holiday and as a make-up working day',
        `To fix: correct ${file} (format: config/working-days.example.json), or unset WORKING_DAYS_FILE to use the chinese-days package's data.`,
      ].join('\n'),
    );
  });

  it('refuses a file that is not JSON, or not there', () => {
    expect(failureOf(() => calendarFromFile(writeFile('not.json', '{ "years": '))).message).toContain('the file is not valid JSON');
    expect(failureOf(() => calendarFromFile(path.join(dir, 'absent.json'))).message).toContain('cannot read the file');
  });

  it('accepts a UTF-8 byte order mark, as Windows editors write it', () => {
    const file = writeFile('bom.json', `\uFEFF${JSON.stringify(mainlandChina2025and2026())}`);
    expect(calendarFromFile(file).years).toEqual({ from: 2025, to: 2026 });
  });
});

describe('the start-up check: the current year should be covered, and the next', () => {
  it('passes quietly when both are covered', () => {
    expect(checkCalendarCoverage(notices, MID_2025)).toBeUndefined();
  });

  it('warns when the next year is missing, saying how to supply it', () => {
    const problem = checkCalendarCoverage(notices, MID_2026);
    expect(problem?.severity).toBe('warning');
    expect(problem?.message).toContain('covers 2025 to 2026, but not 2027 (the next year)');
    expect(problem?.message).toContain('is refused until it does');
    expect(problem?.message).toContain('WORKING_DAYS_FILE=/path/to/working-days.json');
    expect(problem?.message).toContain('config/working-days.example.json');
  });

  it('without the current year, taken in China (2026-12-31T16:30Z is already 2027 there), it is an error, and the server still starts', () => {
    const problem = checkCalendarCoverage(notices, new Date('2026-12-31T16:30:00Z'));
    expect(problem?.severity).toBe('error');
    expect(problem?.message).toContain('but not 2027 (the current year): every deadline in working days (the answer to a customer query) is refused until it does');
    expect(problem?.message).toContain('2027 and 2028');
  });

  it('on the package data: a warning in its last year, an error the year after', () => {
    const { years } = chineseDaysPackageData();
    const problems: { severity: string; message: string }[] = [];
    loadWorkingDayCalendar({ now: new Date(`${years.to}-06-01T00:00:00Z`), onCoverageProblem: (p) => problems.push(p) });
    loadWorkingDayCalendar({ now: new Date(`${years.to + 1}-06-01T00:00:00Z`), onCoverageProblem: (p) => problems.push(p) });
    expect(problems).toEqual([
      { severity: 'warning', message: expect.stringContaining(`but not ${years.to + 1} (the next year)`) },
      { severity: 'error', message: expect.stringContaining(`but not ${years.to + 1} (the current year)`) },
    ]);
  });
});

describe('CalendarModule', () => {
  const clock = new ManualClock(MID_2025);
  @Global()
  @Module({ providers: [{ provide: CLOCK, useValue: clock }, HealthRegistry], exports: [CLOCK, HealthRegistry] })
  class ClockModule {}

  @Module({ imports: [ClockModule, CalendarModule] })
  class RootModule {}

  const saved = process.env[WORKING_DAYS_FILE];
  afterEach(() => {
    if (saved === undefined) delete process.env[WORKING_DAYS_FILE];
    else process.env[WORKING_DAYS_FILE] = saved;
  });

  const start = () => NestFactory.createApplicationContext(RootModule, { logger: false, abortOnError: false });

  it('provides the calendar of the file named by WORKING_DAYS_FILE, checked against the injected clock', async () => {
    process.env[WORKING_DAYS_FILE] = EXAMPLE;
    const app = await start();
    try {
      const calendar = app.get<WorkingDayCalendar>(WORKING_DAY_CALENDAR);
      expect(calendar.source).toContain(EXAMPLE);
      expect(calendar.isWorkingDay('2025-10-11')).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('reports in /health whether the current year is covered, as the clock moves; a missing year only degrades', async () => {
    process.env[WORKING_DAYS_FILE] = EXAMPLE;
    clock.set(MID_2025);
    const app = await start();
    try {
      const health = app.get(HealthRegistry);
      expect(await health.check()).toEqual({ status: 'ok', checks: { calendar: { status: 'ok', detail: expect.stringMatching(/, 2025 to 2026$/) } } });
      clock.set(new Date('2027-03-01T00:00:00Z'));
      const report = await health.check();
      expect(report.status).toBe('degraded');
      expect(report.checks.calendar).toEqual({ status: 'down', detail: expect.stringContaining('but not 2027 (the current year)') });
    } finally {
      clock.set(MID_2025);
      await app.close();
    }
  });

  it('refuses to start on a bad file', async () => {
    process.env[WORKING_DAYS_FILE] = writeFile('refused-at-start.json', { source: 'x', years: { from: 2025, to: 2026 }, holidays: ['2025-02-30'], workdays: [] });
    await expect(start()).rejects.toThrow(WorkingDayCalendarUnavailable);
  });
});
