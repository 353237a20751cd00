import { useEffect, useState } from 'preact/hooks';

/**
 * Routes live in the location's hash (`#/complaints/C-1?asOf=…`): the server
 * serves one index.html at `/` and needs to know nothing of the console's
 * pages; back, forward and bookmarks work.
 */
export interface Route {
  path: string;
  segments: string[];
  params: URLSearchParams;
}

export function currentRoute(): Route {
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path, search = ''] = hash.split('?', 2);
  return { path, segments: path.split('/').filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(search) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}

export function href(path: string, params: Record<string, string | undefined> = {}): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) search.set(k, v);
  const text = search.toString();
  return `#${path}${text ? `?${text}` : ''}`;
}

export function navigate(path: string, params: Record<string, string | undefined> = {}): void {
  location.hash = href(path, params);
}

/** Replaces one query parameter of the current route (asOf, filters) without a new history entry for each keystroke. */
export function setParam(name: string, value: string | undefined): void {
  const route = currentRoute();
  const params = new URLSearchParams(route.params);
  if (value) params.set(name, value);
  else params.delete(name);
  const text = params.toString();
  location.hash = `#${route.path}${text ? `?${text}` : ''}`;
}
