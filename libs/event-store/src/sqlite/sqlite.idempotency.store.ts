import Database from 'better-sqlite3';
import { IdempotencyStore, StoredResponse } from '../idempotency.port';
import { openSqliteFile, SqliteSynchronous } from './sqlite.connection';

export interface SqliteIdempotencyStoreOptions {
  /** the database file (it may be the event store's); its directory is created when missing */
  filename: string;
  /** default FULL */
  synchronous?: SqliteSynchronous;
}

interface ResponseRow {
  status: number;
  body: string | null;
  headers: string | null;
  request_hash: string;
  created_at: string;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS idempotency_keys (
    scope        TEXT    NOT NULL,
    key          TEXT    NOT NULL,
    status       INTEGER NOT NULL,
    body         TEXT,   -- JSON; NULL when the response had no body
    headers      TEXT,   -- JSON object or NULL
    request_hash TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    PRIMARY KEY (scope, key)
  ) STRICT, WITHOUT ROWID;
`;

/** Idempotency keys in a table of a SQLite file, on its own connection. */
export class SqliteIdempotencyStore implements IdempotencyStore {
  private readonly db: Database.Database;
  private readonly select: Database.Statement<[string, string], ResponseRow>;
  private readonly insert: Database.Statement<[string, string, number, string | null, string | null, string, string]>;

  constructor(options: SqliteIdempotencyStoreOptions) {
    this.db = openSqliteFile(options.filename, options.synchronous ?? 'FULL', SCHEMA);
    this.select = this.db.prepare('SELECT status, body, headers, request_hash, created_at FROM idempotency_keys WHERE scope = ? AND key = ?');
    this.insert = this.db.prepare(
      `INSERT INTO idempotency_keys (scope, key, status, body, headers, request_hash, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (scope, key) DO NOTHING`,
    );
  }

  async get(scope: string, key: string): Promise<StoredResponse | undefined> {
    const row = this.select.get(scope, key);
    if (!row) return undefined;
    return {
      status: row.status,
      body: row.body === null ? undefined : JSON.parse(row.body),
      ...(row.headers === null ? {} : { headers: JSON.parse(row.headers) }),
      requestHash: row.request_hash,
      createdAt: row.created_at,
    };
  }

  async put(scope: string, key: string, response: StoredResponse): Promise<void> {
    const { status, body, headers, requestHash, createdAt } = response;
    const bodyJson = body === undefined ? null : JSON.stringify(body);
    this.insert.run(scope, key, status, bodyJson, headers === undefined ? null : JSON.stringify(headers), requestHash, createdAt);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
