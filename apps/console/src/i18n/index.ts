import { en } from './en';
import { MessageKey, zhCN } from './zh-CN';

export type { MessageKey } from './zh-CN';
export type Lang = 'zh-CN' | 'en';

const dictionaries: Record<Lang, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };
const STORAGE_KEY = 'console.lang';

let current: Lang = readStoredLang();
const listeners = new Set<() => void>();

function readStoredLang(): Lang {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh-CN';
  } catch {
    return 'zh-CN';
  }
}

export function lang(): Lang {
  return current;
}

export function setLang(next: Lang): void {
  current = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // private mode: the choice lasts for this page only
  }
  document.documentElement.lang = next;
  document.title = t('app.title');
  for (const listener of listeners) listener();
}

export function onLangChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The message of `key` in the current language, with `{name}` placeholders filled in. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const text = dictionaries[current][key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** The label of an API enumeration value (`category`, `billing` → 计费/支撑系统类); the value itself when unknown. */
export function label(kind: string, value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  const key = `${kind}.${value}` as MessageKey;
  return dictionaries[current][key] ?? String(value);
}

/** Whether a message exists (for optional hints such as the Chinese gloss of a field's validation error). */
export function has(key: string): key is MessageKey {
  return key in dictionaries[current];
}
