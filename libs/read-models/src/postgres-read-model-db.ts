import { Kysely, PostgresDialect } from 'kysely';

export const DEFAULT_READ_MODELS_SCHEMA = 'read_models';

export interface PostgresReadModelDbOptions {
  /** DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/complaints */
  connectionString: string;
  /** the schema that holds every read-model table and the checkpoints, created when missing; default `read_models` */
  schema?: string;
  /** connections in the pool; default 10 */
  poolSize?: number;
  /** errors of idle connections (the pool replaces them); default: a process warning */
  onError?: (error: unknown) => void;
}

/** Lower case, so the name needs no quoting rules of its own (as the event store's schemas). */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,47}$/;

/** Arbitrary, fixed: the first key of the advisory lock that serialises creating the schema. */
const SCHEMA_LOCK_NAMESPACE = 0x524d4442;

/** node-postgres, loaded on first use: a process on the SQLite read models (and its worker) does not carry it. */
function pg(): typeof import('pg') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('pg') as typeof import('pg');
}

/**
 * The numbers the read models hold come back as JavaScript numbers, as
 * better-sqlite3 gives them: `bigint` columns (positions), `count(*)` and
 * `sum()` of integers (int8, numeric). pg returns both as strings by default
 * because they may exceed 2^53; a read model's counts and positions do not.
 */
const READ_MODEL_TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    const { types } = pg();
    if (oid === types.builtins.INT8) return (value: string) => Number(value);
    if (oid === types.builtins.NUMERIC) return (value: string) => Number(value);
    return types.getTypeParser(oid, format);
  },
};

/**
 * The read models in one schema of a PostgreSQL database (DATABASE_URL),
 * through the same Kysely code as the SQLite file of the embedded default.
 *
 * Every connection of the pool starts with `search_path` set to the schema,
 * so the projections' unqualified table names and their `CREATE TABLE`s land
 * there: the event store's schema and other deployments' schemas in the same
 * database are never touched. The schema is created when missing.
 *
 * And with `synchronous_commit = off`, as the SQLite read models run at
 * synchronous=NORMAL: a commit returns before its WAL is on disk, so the
 * runner's many small transactions do not each wait for a flush. A crash of
 * the server may lose the last fraction of a second of commits, read models
 * and checkpoints together (never one without the other, never a torn
 * state); the runner applies those events again from the log.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each projection owns its own tables
export async function openPostgresReadModelDb(options: PostgresReadModelDbOptions): Promise<Kysely<any>> {
  const schema = options.schema ?? DEFAULT_READ_MODELS_SCHEMA;
  if (!SCHEMA_NAME.test(schema) || schema.startsWith('pg_')) {
    throw new RangeError(`schema ${JSON.stringify(schema)} must be lower-case letters, digits and underscores, at most 48, not starting with a digit or pg_`);
  }
  await createSchema(options.connectionString, schema);
  const pool = new (pg().Pool)({
    connectionString: options.connectionString,
    max: options.poolSize ?? 10,
    options: `-c search_path=${schema} -c synchronous_commit=off`,
    types: READ_MODEL_TYPES,
  });
  pool.on('error', options.onError ?? ((error) => process.emitWarning(`PostgreSQL read-model connection error: ${error.message}`)));
  return new Kysely({ dialect: new PostgresDialect({ pool }) });
}

/** CREATE SCHEMA, once, however many processes start together (concurrent creations can collide in the catalog). */
async function createSchema(connectionString: string, schema: string): Promise<void> {
  const client = new (pg().Client)({ connectionString });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [SCHEMA_LOCK_NAMESPACE, schema]);
    // CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege on the database even when the schema exists.
    const { rowCount } = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (rowCount === 0) await client.query(`CREATE SCHEMA "${schema}"`);
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
}
