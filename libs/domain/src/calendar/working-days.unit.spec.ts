import { DomainError } from '../shared/domain-error';
import { daysBetween, mainlandChina2025and2026 } from './mainland-china-2025-2026.fixture';
import { CalendarNotCovering, chinaDateOf, chinaYearOf, endOfChinaDay, InvalidWorkingDayData, WorkingDayCalendar, WorkingDayData } from './working-days';

const calendar = WorkingDayCalendar.from(mainlandChina2025and2026());

/** an instant written in China Standard Time: `cst('2025-09-30 10:00')` */
const cst = (local: string) => `${local.replace(' ', 'T')}:00+08:00`;

function refusalOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

function problemsOf(data: unknown): readonly string[] {
  const error = refusalOf(() => WorkingDayCalendar.from(data));
  if (!(error instanceof InvalidWorkingDayData)) throw error;
  return error.problems;
}

describe('working days of mainland China', () => {
  it('National Day golden week 2025: October 1 to 8 off, Sunday September 28 and Saturday October 11 worked', () => {
    for (const day of daysBetween('2025-10-01', '2025-10-08')) expect([day, calendar.isWorkingDay(day)]).toEqual([day, false]);
    expect(calendar.isWorkingDay('2025-09-28')).toBe(true);
    expect(calendar.isWorkingDay('2025-10-11')).toBe(true);
    expect(calendar.isWorkingDay('2025-09-27')).toBe(false); // Saturday before, not made up
    expect(calendar.isWorkingDay('2025-09-30')).toBe(true);
    expect(calendar.isWorkingDay('2025-10-09')).toBe(true);
    expect(calendar.isWorkingDay('2025-10-12')).toBe(false); // Sunday after
  });

  it('Spring Festival 2026: February 15 to 23 off, Saturdays February 14 and 28 worked', () => {
    for (const day of daysBetween('2026-02-15', '2026-02-23')) expect([day, calendar.isWorkingDay(day)]).toEqual([day, false]);
    expect(calendar.isWorkingDay('2026-02-14')).toBe(true);
    expect(calendar.isWorkingDay('2026-02-28')).toBe(true);
    expect(calendar.isWorkingDay('2026-02-13')).toBe(true);
    expect(calendar.isWorkingDay('2026-02-24')).toBe(true);
  });

  it('ordinary weeks: Monday to Friday are worked, weekends are not', () => {
    expect(daysBetween('2025-11-03', '2025-11-09').map((day) => calendar.isWorkingDay(day))).toEqual([true, true, true, true, true, false, false]);
  });

  it('weekend days listed among the holidays change nothing', () => {
    expect(calendar.isWorkingDay('2025-10-04')).toBe(false); // Saturday inside the golden week
  });
});

describe('addWorkingDays: the end (24:00 China time) of the n-th working day after the day of receipt', () => {
  it('skips a holiday and counts a make-up Saturday: received the day before the 2025 golden week', () => {
    // October 1-8 off; October 9 (Thu), 10 (Fri), 11 (make-up Saturday)
    expect(calendar.addWorkingDays(cst('2025-09-30 10:00'), 3)).toBe('2025-10-11T16:00:00.000Z');
    expect(endOfChinaDay('2025-10-11')).toBe('2025-10-11T16:00:00.000Z');
  });

  it('counts a make-up Sunday: received on the Friday before, answered by Tuesday', () => {
    // Saturday 27 off; Sunday 28 (make-up), Monday 29, Tuesday 30
    expect(calendar.addWorkingDays(cst('2025-09-26 16:00'), 3)).toBe('2025-09-30T16:00:00.000Z');
  });

  it('seven working days across the 2026 Spring Festival', () => {
    // Feb 13 (Fri) 1, Feb 14 (make-up Sat) 2, Feb 15-23 off, Feb 24-27 3-6, Feb 28 (make-up Sat) 7
    expect(calendar.addWorkingDays(cst('2026-02-12 09:00'), 7)).toBe('2026-02-28T16:00:00.000Z');
  });

  it('never counts the day of receipt, whatever the hour', () => {
    expect(calendar.addWorkingDays(cst('2025-11-03 00:30'), 3)).toBe('2025-11-06T16:00:00.000Z');
    expect(calendar.addWorkingDays(cst('2025-11-03 23:59'), 3)).toBe('2025-11-06T16:00:00.000Z');
  });

  it('counts from the next working day when received on a non-working day', () => {
    const fromFriday = calendar.addWorkingDays(cst('2025-11-07 15:00'), 3);
    expect(fromFriday).toBe('2025-11-12T16:00:00.000Z'); // Wednesday 24:00
    expect(calendar.addWorkingDays(cst('2025-11-08 10:00'), 3)).toBe(fromFriday); // Saturday
    expect(calendar.addWorkingDays(cst('2025-11-09 10:00'), 3)).toBe(fromFriday); // Sunday
    // during the golden week: the first working day after it, October 9, is day 1
    expect(calendar.addWorkingDays(cst('2025-10-03 10:00'), 1)).toBe('2025-10-09T16:00:00.000Z');
  });

  it('takes the day in China, not in UTC: 16:00Z is midnight in Beijing', () => {
    expect(chinaDateOf('2025-11-06T15:59:59Z')).toBe('2025-11-06'); // Thursday 23:59:59
    expect(calendar.addWorkingDays('2025-11-06T15:59:59Z', 1)).toBe('2025-11-07T16:00:00.000Z'); // Friday 24:00
    expect(chinaDateOf('2025-11-06T16:00:00Z')).toBe('2025-11-07'); // Friday 00:00
    expect(calendar.addWorkingDays('2025-11-06T16:00:00Z', 1)).toBe('2025-11-10T16:00:00.000Z'); // Monday 24:00
    expect(chinaYearOf('2026-12-31T16:00:00Z')).toBe(2027);
  });

  it('takes a whole number of working days, at least one', () => {
    expect(() => calendar.addWorkingDays(cst('2025-11-03 10:00'), 0)).toThrow(RangeError);
    expect(() => calendar.addWorkingDays(cst('2025-11-03 10:00'), 1.5)).toThrow(RangeError);
    expect(() => calendar.addWorkingDays('yesterday', 1)).toThrow(RangeError);
  });
});

describe('dates outside the covered years are refused, never guessed', () => {
  it('covers exactly the declared years', () => {
    expect(calendar.covers('2025-01-01')).toBe(true);
    expect(calendar.covers('2026-12-31')).toBe(true);
    expect(calendar.covers('2024-12-31')).toBe(false);
    expect(calendar.covers('2027-01-01')).toBe(false);
    expect(calendar.missingYears([2026, 2027])).toEqual([2027]);
  });

  it('refuses to answer for a day outside them, naming the day and the range', () => {
    const error = refusalOf(() => calendar.isWorkingDay('2027-10-01'));
    expect(error).toBeInstanceOf(CalendarNotCovering);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({
      kind: 'refused',
      code: 'calendar.not_covering',
      date: '2027-10-01',
      covered: { from: 2025, to: 2026 },
      reason: 'the working-day calendar (test data from the State Council notices for 2025 and 2026) covers 2025 to 2026; it has no data for 2027-10-01',
    });
  });

  it('refuses a deadline that would run past the last covered year', () => {
    // December 31 (Thu) is day 1; January 1, 2027 is unknown
    expect(refusalOf(() => calendar.addWorkingDays(cst('2026-12-30 10:00'), 3))).toMatchObject({ date: '2027-01-01' });
    // 2026-12-31T16:30Z is already January 1, 2027 in China
    expect(refusalOf(() => calendar.addWorkingDays('2026-12-31T16:30:00Z', 1))).toMatchObject({ date: '2027-01-01' });
    expect(refusalOf(() => calendar.addWorkingDays(cst('2024-12-31 10:00'), 1))).toBeInstanceOf(CalendarNotCovering);
  });
});

describe('validating the calendar data', () => {
  const valid = (): WorkingDayData => ({ source: 'test', years: { from: 2025, to: 2025 }, holidays: ['2025-10-01'], workdays: ['2025-09-28'] });

  it('accepts the notices of 2025 and 2026, and notes in $-keys', () => {
    expect(() => WorkingDayCalendar.from({ ...mainlandChina2025and2026(), $comment: 'from the notices' })).not.toThrow();
  });

  it('lists every problem at once', () => {
    const error = refusalOf(() =>
      WorkingDayCalendar.from({
        source: 'file under test',
        years: { from: 2025, to: 2026 },
        holidays: ['2025-10-01', '2025-02-30', '2025-1-1', 20251002, '2024-10-01', '2025-10-01', '2025-10-11'],
        workdays: ['2025-10-11', '2027-01-02', '2025-10-09'],
        holiday: ['2025-10-02'],
      }),
    );
    expect(error).toBeInstanceOf(InvalidWorkingDayData);
    const { problems, message } = error as InvalidWorkingDayData;
    expect(problems).toEqual([
      'unknown key "holiday"; expected "source", "years", "holidays", "workdays" (or "$comment" for notes)',
      'holidays[1]: "2025-02-30" is not a date "YYYY-MM-DD"',
      'holidays[2]: "2025-1-1" is not a date "YYYY-MM-DD"',
      'holidays[3]: 20251002 is not a date "YYYY-MM-DD"',
      'holidays[4]: 2024-10-01 is outside the declared years 2025 to 2026',
      'holidays[5]: 2025-10-01 is listed twice',
      'workdays[1]: 2027-01-02 is outside the declared years 2025 to 2026',
      'workdays: 2025-10-09 is a Thursday; a make-up working day is a Saturday or a Sunday',
      '2025-10-11 is listed both as a holiday and as a make-up working day',
    ]);
    expect(message.split('\n')[0]).toBe('Invalid working-day calendar data from file under test (9 problems):');
  });

  it('requires every part', () => {
    expect(problemsOf({})).toEqual([
      '"source" must be a non-empty string naming where the data comes from',
      '"years" must be an object { "from": <year>, "to": <year> }',
      '"holidays" must be an array of dates "YYYY-MM-DD" (an empty array when there are none)',
      '"workdays" must be an array of dates "YYYY-MM-DD" (an empty array when there are none)',
    ]);
    expect(problemsOf([])).toEqual(['the data must be an object with "source", "years", "holidays" and "workdays"']);
    expect(problemsOf({ ...valid(), years: { from: 2026, to: 2025 } })).toEqual(['"years" runs backwards: from 2026 to 2025']);
    expect(problemsOf({ ...valid(), years: { from: '2025', to: 2025.5 } })).toEqual([
      '"years.from" must be a four-digit year, got "2025"',
      '"years.to" must be a four-digit year, got 2025.5',
    ]);
  });

  it('keeps no reference to the data it was built from', () => {
    const data = valid();
    const built = WorkingDayCalendar.from(data);
    data.holidays.push('2025-10-02');
    expect(built.isWorkingDay('2025-10-02')).toBe(true);
  });
});
