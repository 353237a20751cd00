import { lang, t } from './i18n';

/** Every time is shown in China Standard Time, the operator's time, whatever the browser's zone. */
const TIME_ZONE = 'Asia/Shanghai';
const formats = new Map<string, Intl.DateTimeFormat>();

function format(kind: 'datetime' | 'date'): Intl.DateTimeFormat {
  const key = `${lang()}:${kind}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(lang() === 'en' ? 'en-GB' : 'zh-CN', {
      timeZone: TIME_ZONE,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      ...(kind === 'datetime' && { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }),
    });
    formats.set(key, f);
  }
  return f;
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : format('datetime').format(at);
}

/** yyyy-mm-dd of an instant in China Standard Time */
export function cstDate(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** 1:02:03, or 2d 01:02:03 past a day */
export function duration(seconds: number): string {
  const s = Math.abs(Math.trunc(seconds));
  const days = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const clock = `${days > 0 ? String(h).padStart(2, '0') : h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
  return days > 0 ? `${t('time.days', { d: days })} ${clock}` : clock;
}

/** "剩 0:42:10" or "超时 0:03:00" */
export function timeLeft(seconds: number): string {
  return seconds < 0 ? t('time.overdueBy', { t: duration(seconds) }) : t('time.left', { t: duration(seconds) });
}

export function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`;
}

export function yuan(amount: number | null | undefined): string {
  return amount === null || amount === undefined ? '—' : amount.toFixed(2);
}

/** amber from half the span, stronger from 80%, as the server's clocks warn */
export function warningOf(now: number, startedAt: string, dueAt: string): 'warn50' | 'warn80' | null {
  const start = Date.parse(startedAt);
  const share = (now - start) / (Date.parse(dueAt) - start);
  return share >= 0.8 ? 'warn80' : share >= 0.5 ? 'warn50' : null;
}
