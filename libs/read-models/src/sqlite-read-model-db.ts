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
 * The PostgreSQL counterpart, `openPostgresReadModelDb(url)`, belongs beside
 * this one; the projections and the runner write portable SQL through Kysely.
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
  return new Kysely({ dialect: new SqliteDialect({ database }) });
}
