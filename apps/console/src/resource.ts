import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';

export interface Resource<T> {
  data?: T;
  error?: ApiError;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads `fetcher` again whenever `deps` change (a route parameter, asOf, the
 * live position). Keeps the last data while reloading, so a live refresh
 * never blanks the page; a slower older answer never overwrites a newer one.
 */
export function useResource<T>(fetcher: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Resource<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: true });
  const [nonce, setNonce] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const request = ++latest.current;
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    fetcher(controller.signal).then(
      (data) => {
        if (request === latest.current) setState({ data, loading: false });
      },
      (error: unknown) => {
        if ((error as Error).name === 'AbortError' || request !== latest.current) return;
        setState((s) => ({ data: s.data, error: error instanceof ApiError ? error : new ApiError({ title: 'Error', status: 0, detail: String(error) }), loading: false }));
      },
    );
    return () => controller.abort();
  }, [...deps, nonce]);
  return { ...state, reload: () => setNonce((n) => n + 1) };
}
