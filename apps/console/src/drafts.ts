import { useEffect, useRef, useState } from 'preact/hooks';
import { currentSession, sessionState } from './session';

/**
 * What a user types into a form, kept in this tab's sessionStorage as they
 * type, keyed by user and form: when their session expires mid-form, they
 * sign in again and find it as they left it. Cleared once submitted.
 */
function storageKey(form: string): string {
  const state = sessionState();
  const user = currentSession()?.user.username ?? (state.kind === 'signed-out' ? state.lastUsername : undefined) ?? 'anonymous';
  return `console.draft:${user}:${form}`;
}

export function useDraft<T extends object>(form: string, initial: () => T): [T, (update: Partial<T>) => void, () => void] {
  const key = storageKey(form);
  const [value, setValue] = useState<T>(() => {
    try {
      const stored = sessionStorage.getItem(key);
      if (stored) return { ...initial(), ...(JSON.parse(stored) as Partial<T>) };
    } catch {
      // a draft that does not parse is dropped
    }
    return initial();
  });
  const keyRef = useRef(key);
  keyRef.current = key;
  useEffect(() => {
    try {
      sessionStorage.setItem(keyRef.current, JSON.stringify(value));
    } catch {
      // storage full or disabled: the draft lives in memory only
    }
  }, [value]);
  const update = (patch: Partial<T>) => setValue((previous) => ({ ...previous, ...patch }));
  const clear = () => {
    sessionStorage.removeItem(keyRef.current);
    setValue(initial());
  };
  return [value, update, clear];
}
