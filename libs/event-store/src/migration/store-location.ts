import { existsSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { pg } from '../postgres/postgres.connection';
import { EsdbEventStore } from '../esdb/esdb.event-store';
import { redactedConnectionString } from '../esdb/esdb.mapping';
import { EventLogImport } from '../event-log-import';
import { EventStore } from '../event-store.port';
import { DEFAULT_SCHEMA, quotedSchema } from '../postgres/postgres.connection';
import { PostgresEventStore } from '../postgres/postgres.event-store';
import { SqliteEventStore } from '../sqlite/sqlite.event-store';

/** Where an event log is, as `store:migrate` names it. */
export type StoreLocation =
  | { kind: 'sqlite'; file: string }
  | { kind: 'postgres'; connectionString: string; schema: string }
  | { kind: 'esdb'; connectionString: string };

export class StoreLocationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreLocationError';
  }
}

const SQLITE_FILE_EXTENSIONS = new Set(['.sqlite', '.sqlite3', '.db']);

/**
 * - `sqlite:DIR` (the DATA_DIR of the embedded default: DIR/events.sqlite)
 *   or `sqlite:FILE` (a path to an existing file, or one ending in .sqlite,
 *   .sqlite3 or .db);
 * - `postgres://…` or `postgresql://…` (DATABASE_URL), in `schema` (default
 *   event_store, the adapter's);
 * - `esdb://…`, `esdb+discover://…`, `kurrentdb://…`, `kurrentdb+discover://…`
 *   (EVENTSTORE_URL).
 */
export function parseStoreLocation(spec: string, options: { schema?: string } = {}): StoreLocation {
  if (spec.startsWith('sqlite:')) {
    const path = spec.slice('sqlite:'.length);
    if (path === '') throw new StoreLocationError('sqlite: needs a directory or a file, e.g. sqlite:./data');
    const isDirectory = existsSync(path) ? statSync(path).isDirectory() : !SQLITE_FILE_EXTENSIONS.has(extname(path).toLowerCase());
    return { kind: 'sqlite', file: resolve(isDirectory ? join(path, 'events.sqlite') : path) };
  }
  if (/^postgres(ql)?:\/\//i.test(spec)) {
    const schema = options.schema ?? DEFAULT_SCHEMA;
    quotedSchema(schema);
    return { kind: 'postgres', connectionString: spec, schema };
  }
  if (/^(esdb|kurrentdb)(\+discover)?:\/\//i.test(spec)) {
    if (options.schema !== undefined) throw new StoreLocationError('a schema belongs to a PostgreSQL location, not to EventStoreDB');
    return { kind: 'esdb', connectionString: spec };
  }
  throw new StoreLocationError(`${spec} is not a store location: sqlite:DIR-or-FILE, postgres://…, or esdb://… (kurrentdb://…)`);
}

export function describeStoreLocation(location: StoreLocation): string {
  switch (location.kind) {
    case 'sqlite':
      return `sqlite ${location.file}`;
    case 'postgres':
      return `postgres ${redactedConnectionString(location.connectionString)} schema ${location.schema}`;
    case 'esdb':
      return `eventstoredb ${redactedConnectionString(location.connectionString)}`;
    default:
      return assertNever(location);
  }
}

/**
 * Opens the store at `location`. A source must exist: opening a missing
 * SQLite file or PostgreSQL schema would create an empty one, and a copy from
 * it would look like a copy of nothing.
 */
export async function openStoreAt(location: StoreLocation, role: 'source' | 'target'): Promise<EventStore & EventLogImport> {
  switch (location.kind) {
    case 'sqlite':
      if (role === 'source' && !existsSync(location.file)) throw new StoreLocationError(`there is no event log at ${location.file}`);
      return new SqliteEventStore({ filename: location.file });
    case 'postgres':
      if (role === 'source' && !(await hasEventsTable(location))) {
        throw new StoreLocationError(`there is no event log in schema ${location.schema} of ${redactedConnectionString(location.connectionString)}`);
      }
      return PostgresEventStore.open({ connectionString: location.connectionString, schema: location.schema, listen: false, poolSize: 2 });
    case 'esdb':
      return new EsdbEventStore({ connectionString: location.connectionString });
    default:
      return assertNever(location);
  }
}

async function hasEventsTable({ connectionString, schema }: { connectionString: string; schema: string }): Promise<boolean> {
  const client = new (pg().Client)({ connectionString });
  await client.connect();
  try {
    const { rows } = await client.query<{ found: string | null }>('SELECT to_regclass($1) AS found', [`${quotedSchema(schema)}.events`]);
    return rows[0].found !== null;
  } finally {
    await client.end();
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected store location ${JSON.stringify(value)}`);
}
