import { WorkingDayData } from './working-days';

/**
 * Test data: the 2025 and 2026 holiday arrangements, written by hand from the
 * State Council notices (2025: 国办发明电〔2024〕12号; 2026: the notice of
 * November 2025, gov.cn/zhengce/zhengceku/202511/content_7047091.htm), not
 * from the `chinese-days` package, so that tests can cross-check one against
 * the other.
 */
const PERIODS_OFF: ReadonlyArray<readonly [name: string, from: string, to: string]> = [
  ['元旦 2025', '2025-01-01', '2025-01-01'],
  ['春节 2025', '2025-01-28', '2025-02-04'],
  ['清明 2025', '2025-04-04', '2025-04-06'],
  ['劳动节 2025', '2025-05-01', '2025-05-05'],
  ['端午 2025', '2025-05-31', '2025-06-02'],
  ['国庆中秋 2025', '2025-10-01', '2025-10-08'],
  ['元旦 2026', '2026-01-01', '2026-01-03'],
  ['春节 2026', '2026-02-15', '2026-02-23'],
  ['清明 2026', '2026-04-04', '2026-04-06'],
  ['劳动节 2026', '2026-05-01', '2026-05-05'],
  ['端午 2026', '2026-06-19', '2026-06-21'],
  ['中秋 2026', '2026-09-25', '2026-09-27'],
  ['国庆 2026', '2026-10-01', '2026-10-07'],
];

/** 调休上班: the weekend days worked to make up for the periods above */
const MAKE_UP_WORKDAYS = [
  '2025-01-26', // Sunday, 春节
  '2025-02-08', // Saturday, 春节
  '2025-04-27', // Sunday, 劳动节
  '2025-09-28', // Sunday, 国庆中秋
  '2025-10-11', // Saturday, 国庆中秋
  '2026-01-04', // Sunday, 元旦
  '2026-02-14', // Saturday, 春节
  '2026-02-28', // Saturday, 春节
  '2026-05-09', // Saturday, 劳动节
  '2026-09-20', // Sunday, 国庆
  '2026-10-10', // Saturday, 国庆
];

/** every day of `from`..`to` inclusive, `YYYY-MM-DD` */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let ms = Date.parse(`${from}T00:00:00Z`); ms <= Date.parse(`${to}T00:00:00Z`); ms += 86_400_000) {
    days.push(new Date(ms).toISOString().slice(0, 10));
  }
  return days;
}

export function mainlandChina2025and2026(): WorkingDayData {
  return {
    source: 'test data from the State Council notices for 2025 and 2026',
    years: { from: 2025, to: 2026 },
    holidays: PERIODS_OFF.flatMap(([, from, to]) => daysBetween(from, to)),
    workdays: [...MAKE_UP_WORKDAYS],
  };
}
