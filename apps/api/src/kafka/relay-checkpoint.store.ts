import Database from 'better-sqlite3';
import { mkdirSync } from 'fs';
import { dirname } from 'path';
import type { Pool } from 'pg';
import { pg } from '../infrastructure/pg-driver';

/**
 * Where the outbound relay stands in the event log: the position of the last
 * event the broker acknowledged, per relay name. The relay's only state,
 * written once per acknowledged batch, durably, and never in a transaction
 * with anything else (what it records has happened on the broker, not here).
 */
export interface RelayCheckpoints {
  /** 0 when the relay never published anything */
  load(name: string): Promise<number>;
  save(name: string, position: number): Promise<void>;
  close(): Promise<void>;
}

/** The embedded default: a small SQLite file of its own under DATA_DIR (`kafka.sqlite`), written synchronously. */
export class RelayCheckpointStore implements RelayCheckpoints {
  private readonly db: Database.Database;
  private readonly select: Database.Statement<[string], { position: number }>;
  private readonly upsert: Database.Statement<[string, number, string]>;

  constructor(filename: string, synchronous: 'FULL' | 'NORMAL' = 'FULL') {
    mkdirSync(dirname(filename), { recursive: true });
    this.db = new Database(filename);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${synchronous}`);
    this.db.exec(`CREATE TABLE IF NOT EXISTS kafka_relay_checkpoints (
      name TEXT PRIMARY KEY,
      position INTEGER NOT NULL,
      updated_at TEXT NOT NULL
    )`);
    this.select = this.db.prepare('SELECT position FROM kafka_relay_checkpoints WHERE name = ?');
    this.upsert = this.db.prepare(
      `INSERT INTO kafka_relay_checkpoints (name, position, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
    );
  }

  async load(name: string): Promise<number> {
    return this.select.get(name)?.position ?? 0;
  }

  async save(name: string, position: number): Promise<void> {
    this.upsert.run(name, position, new Date().toISOString());
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

/** Arbitrary, fixed: the first key of the advisory lock around creating the table. */
const DDL_LOCK_NAMESPACE = 0x4b524350;

/**
 * With DATABASE_URL: the same table in PostgreSQL (in the read models'
 * schema), so that whichever instance holds the relay's lease goes on from
 * where the last holder's broker acknowledgements left it.
 */
export class PostgresRelayCheckpointStore implements RelayCheckpoints {
  private readonly select: string;
  private readonly upsert: string;

  /** Connects and creates the table when missing (in `schema`, which the read models created). */
  static async open(connectionString: string, schema: string, onError: (error: unknown) => void): Promise<PostgresRelayCheckpointStore> {
    const pool = new (pg().Pool)({ connectionString, max: 1 });
    pool.on('error', onError);
    try {
      const client = await pool.connect();
      try {
        // instances starting together: concurrent CREATE ... IF NOT EXISTS can collide in the catalog
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [DDL_LOCK_NAMESPACE, schema]);
        await client.query(`CREATE TABLE IF NOT EXISTS "${schema}".kafka_relay_checkpoints (
          name text PRIMARY KEY,
          position bigint NOT NULL,
          updated_at text NOT NULL
        )`);
        await client.query('COMMIT');
      } finally {
        client.release(true);
      }
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    return new PostgresRelayCheckpointStore(pool, schema);
  }

  private constructor(
    private readonly pool: Pool,
    schema: string,
  ) {
    this.select = `SELECT position FROM "${schema}".kafka_relay_checkpoints WHERE name = $1`;
    this.upsert = `INSERT INTO "${schema}".kafka_relay_checkpoints (name, position, updated_at) VALUES ($1, $2, $3)
                   ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`;
  }

  async load(name: string): Promise<number> {
    const { rows } = await this.pool.query<{ position: string }>(this.select, [name]);
    return rows.length === 0 ? 0 : Number(rows[0].position);
  }

  async save(name: string, position: number): Promise<void> {
    await this.pool.query(this.upsert, [name, position, new Date().toISOString()]);
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
