import { nextPeriod, periodOf, previousPeriod } from './periods';

describe('report periods in China Standard Time', () => {
  it('a day runs from CST midnight to the next', () => {
    const p = periodOf('daily', '2026-11-27');
    expect(p.start.toISOString()).toBe('2026-11-26T16:00:00.000Z');
    expect(p.end.toISOString()).toBe('2026-11-27T16:00:00.000Z');
  });

  it.each([
    ['2026-02-05', '2026-01-31T16:00:00.000Z', '2026-02-10T16:00:00.000Z', '2026-02 上旬'],
    ['2026-02-15', '2026-02-10T16:00:00.000Z', '2026-02-20T16:00:00.000Z', '2026-02 中旬'],
    ['2026-02-28', '2026-02-20T16:00:00.000Z', '2026-02-28T16:00:00.000Z', '2026-02 下旬'],
    ['2026-12-31', '2026-12-20T16:00:00.000Z', '2026-12-31T16:00:00.000Z', '2026-12 下旬'],
  ])('the ten-day period (旬) of %s', (date, start, end, label) => {
    const p = periodOf('ten-day', date);
    expect([p.start.toISOString(), p.end.toISOString(), p.label]).toEqual([start, end, label]);
  });

  it('months and years, with their neighbours', () => {
    const march = periodOf('monthly', '2028-03-09');
    expect([march.start.toISOString(), march.end.toISOString()]).toEqual(['2028-02-29T16:00:00.000Z', '2028-03-31T16:00:00.000Z']);
    expect(previousPeriod(march).label).toBe('2028-02');
    expect(nextPeriod(march).label).toBe('2028-04');
    expect(previousPeriod(periodOf('ten-day', '2026-03-02')).label).toBe('2026-02 下旬');
    const year = periodOf('yearly', '2026-06-01');
    expect([year.start.toISOString(), year.end.toISOString()]).toEqual(['2025-12-31T16:00:00.000Z', '2026-12-31T16:00:00.000Z']);
  });

  it('refuses what is not a calendar date', () => {
    expect(() => periodOf('daily', '2026-02-30')).toThrow(RangeError);
    expect(() => periodOf('daily', '27/11/2026')).toThrow(RangeError);
  });
});
