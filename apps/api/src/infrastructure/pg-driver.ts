/**
 * node-postgres, loaded on first use, as the event-store library does: the
 * embedded default (and its projection worker) never opens PostgreSQL and
 * should not carry the driver (about 15 MB resident).
 */
export function pg(): typeof import('pg') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('pg') as typeof import('pg');
}
