import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * FULL: a commit is on disk when it returns. NORMAL: in WAL mode the log is
 * synced only at checkpoints, so a commit survives a crash of the process but
 * maybe not of the machine.
 */
export type SqliteSynchronous = 'FULL' | 'NORMAL';

/**
 * Opens a SQLite file in WAL mode with the given durability, creating the
 * file and its directory when missing, and the schema when it is not there.
 */
export function openSqliteFile(filename: string, synchronous: SqliteSynchronous, schema: string): Database.Database {
  mkdirSync(dirname(filename), { recursive: true });
  const db = new Database(filename);
  try {
    // WAL: readers never block the writer, and other processes can read and write the same file.
    const mode: unknown = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new Error(`${filename} cannot use WAL mode (journal_mode is ${String(mode)})`);
    // Always explicit: better-sqlite3 leaves a new file at FULL after switching to WAL,
    // but a connection to a file that is already in WAL mode starts at NORMAL.
    db.pragma(`synchronous = ${synchronous === 'FULL' ? 'FULL' : 'NORMAL'}`);
    db.exec(schema);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
