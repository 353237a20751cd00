import { useEffect, useState } from 'preact/hooks';
import { api } from './api';
import { lang } from './i18n';
import type { Catalog } from './types';

/**
 * Departments, categories, channels: configuration on the server (the
 * policy), read once per sign-in from GET /api/catalog, so a new department
 * appears in the console without a new build.
 */
let cached: Promise<Catalog> | undefined;

export function loadCatalog(): Promise<Catalog> {
  cached ??= api<Catalog>('/api/catalog').catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}

export function forgetCatalog(): void {
  cached = undefined;
}

export function useCatalog(): Catalog | undefined {
  const [catalog, setCatalog] = useState<Catalog>();
  useEffect(() => {
    let live = true;
    loadCatalog().then(
      (c) => live && setCatalog(c),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);
  return catalog;
}

export function departmentName(catalog: Catalog | undefined, id: string): string {
  const department = catalog?.departments.find((d) => d.id === id);
  if (!department) return id;
  return lang() === 'en' ? department.name : department.nameZh;
}

export function departmentOptions(catalog: Catalog | undefined): { value: string; label: string }[] {
  return (catalog?.departments ?? []).map((d) => ({ value: d.id, label: lang() === 'en' ? d.name : d.nameZh }));
}
