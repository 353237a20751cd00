import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface SqliteReadModelDbOptions {
  /** how long a statement waits for another connection's write lock before failing; default 5000 ms */
  busyTimeoutMs?: number;
}

/**
 * The read models in one SQLite file (the embedded default), creating the
 * file and its directory when missing.
 *
 * WAL, so that queries read while the projection runner writes, and other
 * processes (the CLI) can open the file too. synchronous=NORMAL: a commit
 * survives a crash of the process but maybe not a power cut, which is
 * enough here: the read models and their checkpoints are rolled back
 * together, and whatever is lost is replayed from the event log.
 *
 * The PostgreSQL counterpart is `openPostgresReadModelDb` beside this one; the
 * projections and the runner write portable SQL through Kysely.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each projection owns its own tables
export function openSqliteReadModelDb(filename: string, options: SqliteReadModelDbOptions = {}): Kysely<any> {
  mkdirSync(dirname(filename), { recursive: true });
  const database = new Database(filename);
  try {
    const mode: unknown = database.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new Error(`${filename} cannot use WAL mode (journal_mode is ${String(mode)})`);
    database.pragma('synchronous = NORMAL');
    database.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  } catch (error) {
    database.close();
    throw error;
  }
  return new Kysely({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
}

/** how many prepared statements are kept; the projections and queries use a few dozen shapes */
const STATEMENTS_KEPT = 256;

/**
 * Kysely prepares every query anew; preparing is a good part of a small
 * query's cost in better-sqlite3. The same SQL text gets the same prepared
 * statement back (better-sqlite3 statements are reusable, and a connection
 * runs one at a time). The oldest is dropped past the bound.
 */
function withStatementCache(database: Database.Database): Pick<Database.Database, 'close' | 'prepare'> {
  const statements = new Map<string, Database.Statement>();
  return {
    close: () => database.close(),
    prepare: (source: string) => {
      let statement = statements.get(source);
      if (!statement) {
        statement = database.prepare(source);
        if (statements.size >= STATEMENTS_KEPT) statements.delete(statements.keys().next().value as string);
        statements.set(source, statement);
      }
      return statement;
    },
  } as Pick<Database.Database, 'close' | 'prepare'>;
}
