import Database from 'better-sqlite3';
import { mkdirSync } from 'fs';
import { dirname } from 'path';

/**
 * Where the outbound relay stands in the event log: the position of the last
 * event the broker acknowledged, per relay name. A small SQLite file of its own
 * under DATA_DIR (`kafka.sqlite`): the relay's only state, written once per
 * acknowledged batch, synchronously and durably, and never in a transaction
 * with anything else (what it records has happened on the broker, not here).
 */
export class RelayCheckpointStore {
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

  /** 0 when the relay never published anything */
  load(name: string): number {
    return this.select.get(name)?.position ?? 0;
  }

  save(name: string, position: number): void {
    this.upsert.run(name, position, new Date().toISOString());
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
