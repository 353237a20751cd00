import type { Pool } from 'pg';
import { IdempotencyStore, StoredResponse } from '../idempotency.port';
import { DEFAULT_SCHEMA, ensureSchema, openPool, PostgresConnectionOptions, quotedSchema } from './postgres.connection';

export type PostgresIdempotencyStoreOptions = PostgresConnectionOptions;

function schemaDdl(s: string): string {
  return `
    CREATE TABLE IF NOT EXISTS ${s}.idempotency_keys (
      scope        text    NOT NULL,
      key          text    NOT NULL,
      status       integer NOT NULL,
      body         json,   -- NULL when the response had no body
      headers      json,
      request_hash text    NOT NULL,
      -- text: given back exactly as it was stored, as by the other adapters
      created_at   text    NOT NULL,
      PRIMARY KEY (scope, key)
    );
  `;
}

interface ResponseRow {
  status: number;
  body: string | null;
  headers: string | null;
  request_hash: string;
  created_at: string;
}

/** Idempotency keys in a table of a PostgreSQL schema (it may be the event store's), on a pool of its own. */
export class PostgresIdempotencyStore implements IdempotencyStore {
  private readonly select: string;
  private readonly insert: string;
  private closing: Promise<void> | undefined;

  /** Connects and creates the schema and table when missing. */
  static async open(options: PostgresIdempotencyStoreOptions): Promise<PostgresIdempotencyStore> {
    const schema = options.schema ?? DEFAULT_SCHEMA;
    const s = quotedSchema(schema);
    const pool = openPool(options);
    try {
      await ensureSchema(pool, schema, schemaDdl(s));
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    return new PostgresIdempotencyStore(pool, s);
  }

  private constructor(
    private readonly pool: Pool,
    s: string,
  ) {
    // body and headers as text: a JSON null body is not the SQL NULL of no body.
    this.select = `SELECT status, body::text AS body, headers::text AS headers, request_hash, created_at
                     FROM ${s}.idempotency_keys WHERE scope = $1 AND key = $2`;
    this.insert = `INSERT INTO ${s}.idempotency_keys (scope, key, status, body, headers, request_hash, created_at)
                   VALUES ($1, $2, $3, $4::json, $5::json, $6, $7) ON CONFLICT (scope, key) DO NOTHING`;
  }

  async get(scope: string, key: string): Promise<StoredResponse | undefined> {
    const { rows } = await this.pool.query<ResponseRow>({ name: 'idempotency_get', text: this.select, values: [scope, key] });
    const row = rows[0];
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
    const headersJson = headers === undefined ? null : JSON.stringify(headers);
    await this.pool.query({ name: 'idempotency_put', text: this.insert, values: [scope, key, status, bodyJson, headersJson, requestHash, createdAt] });
  }

  close(): Promise<void> {
    this.closing ??= this.pool.end();
    return this.closing;
  }
}
