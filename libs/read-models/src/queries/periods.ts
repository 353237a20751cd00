/**
 * Report periods (Part 2 §9): daily, ten-day (旬: 1st-10th, 11th-20th, 21st to
 * the month's end), monthly, yearly, in China Standard Time. Mainland China
 * has kept UTC+8 without daylight saving since 1991, so a fixed offset is
 * exact for every date a report can ask about.
 */
export const PERIOD_KINDS = ['daily', 'ten-day', 'monthly', 'yearly'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

const CST_OFFSET_MS = 8 * 3_600_000;

export interface Period {
  kind: PeriodKind;
  /** e.g. 2026-11, 2026-11-2旬 */
  label: string;
  start: Date;
  /** exclusive */
  end: Date;
}

/** midnight CST of a calendar date, as an instant */
function cstMidnight(year: number, month0: number, day: number): Date {
  return new Date(Date.UTC(year, month0, day) - CST_OFFSET_MS);
}

function daysInMonth(year: number, month0: number): number {
  return new Date(Date.UTC(year, month0 + 1, 0)).getUTCDate();
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The period of `kind` that contains the CST calendar date `yyyy-mm-dd`. */
export function periodOf(kind: PeriodKind, date: string): Period {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) throw new RangeError('date must be a calendar date such as 2026-11-27');
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month - 1)) throw new RangeError(`${date} is not a calendar date`);
  const m0 = month - 1;
  switch (kind) {
    case 'daily':
      return { kind, label: date, start: cstMidnight(year, m0, day), end: cstMidnight(year, m0, day + 1) };
    case 'ten-day': {
      const part = day <= 10 ? 1 : day <= 20 ? 2 : 3;
      const first = (part - 1) * 10 + 1;
      const end = part === 3 ? cstMidnight(year, m0 + 1, 1) : cstMidnight(year, m0, first + 10);
      return { kind, label: `${year}-${pad(month)} ${['上旬', '中旬', '下旬'][part - 1]}`, start: cstMidnight(year, m0, first), end };
    }
    case 'monthly':
      return { kind, label: `${year}-${pad(month)}`, start: cstMidnight(year, m0, 1), end: cstMidnight(year, m0 + 1, 1) };
    case 'yearly':
      return { kind, label: `${year}`, start: cstMidnight(year, 0, 1), end: cstMidnight(year + 1, 0, 1) };
  }
}

/** the CST calendar date of an instant */
export function cstDate(at: Date): string {
  return new Date(at.getTime() + CST_OFFSET_MS).toISOString().slice(0, 10);
}

/** The period just before `period`, of the same kind. */
export function previousPeriod(period: Period): Period {
  return periodOf(period.kind, cstDate(new Date(period.start.getTime() - 1)));
}

/** The period just after `period`, of the same kind. */
export function nextPeriod(period: Period): Period {
  return periodOf(period.kind, cstDate(period.end));
}
