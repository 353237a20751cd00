import type { Pool } from 'pg';

/** What every PostgreSQL adapter of the ports is opened with. */
export interface PostgresConnectionOptions {
  /** e.g. postgres://postgres@127.0.0.1:5432/postgres (DATABASE_URL) */
  connectionString: string;
  /** the schema that holds the tables, created when missing; default `event_store` */
  schema?: string;
  /** connections in the pool; default 10 */
  poolSize?: number;
  /**
   * Errors of connections outside any call (an idle connection the server
   * closed, a lost LISTEN connection): the pool or the listener recovers by
   * itself, so they are reported rather than thrown. Default: a process warning.
   */
  onError?: (error: unknown) => void;
}

export const DEFAULT_SCHEMA = 'event_store';

/** Lower case, so it needs no quoting rules of its own, and short enough for a channel name built on it. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,47}$/;

/** The schema as a quoted identifier, after checking it is a plain lower-case name. */
export function quotedSchema(schema: string): string {
  if (!SCHEMA_NAME.test(schema) || schema.startsWith('pg_')) {
    throw new RangeError(
      `schema ${JSON.stringify(schema)} must be lower-case letters, digits and underscores, at most 48, not starting with a digit or pg_`,
    );
  }
  return `"${schema}"`;
}

export function openPool({ connectionString, poolSize, onError }: PostgresConnectionOptions): Pool {
  const max = poolSize ?? 10;
  if (!(Number.isSafeInteger(max) && max > 0)) throw new RangeError(`poolSize ${max} is not a positive integer`);
  const pool = new (pg().Pool)({ connectionString, max });
  // Without a listener, an idle connection that the server drops would crash the process.
  pool.on('error', onError ?? reportConnectionError);
  return pool;
}

export function reportConnectionError(error: unknown): void {
  process.emitWarning(`PostgreSQL connection error: ${error instanceof Error ? error.message : String(error)}`);
}

/** Arbitrary, fixed: the first key of the advisory lock that serialises schema creation. */
const SCHEMA_LOCK_NAMESPACE = 0x45565354;

/**
 * Creates the schema and runs `ddl` (CREATE ... IF NOT EXISTS statements) in
 * one transaction. Idempotent, and safe when several processes open the same
 * schema at once: concurrent CREATE ... IF NOT EXISTS of one object can still
 * fail on the catalog's unique indexes, so an advisory lock takes them one at
 * a time.
 */
export async function ensureSchema(pool: Pool, schema: string, ddl: string): Promise<void> {
  const quoted = quotedSchema(schema);
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [SCHEMA_LOCK_NAMESPACE, schema]);
    // CREATE SCHEMA IF NOT EXISTS demands the CREATE privilege on the database even when the schema exists.
    const { rowCount } = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (rowCount === 0) await client.query(`CREATE SCHEMA ${quoted}`);
    await client.query(ddl);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    client.release(broken);
  }
}

/**
 * node-postgres, loaded on first use: the adapters are exported with the rest
 * of the event-store library, and a process that never opens PostgreSQL (the
 * embedded default, its projection worker) should not carry the driver
 * (about 15 MB resident).
 */
export function pg(): typeof import('pg') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('pg') as typeof import('pg');
}
