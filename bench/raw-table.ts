import Database from 'better-sqlite3';
import { v7 as uuidv7 } from 'uuid';
import { EventRowValues, registerBody, registeredRow } from './payload';

/** The events table of SqliteEventStore (same columns, keys and STRICT), alone. */
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    position    INTEGER PRIMARY KEY AUTOINCREMENT,
    stream_id   TEXT    NOT NULL,
    revision    INTEGER NOT NULL,
    event_id    TEXT    NOT NULL UNIQUE,
    type        TEXT    NOT NULL,
    data        TEXT    NOT NULL,
    metadata    TEXT    NOT NULL,
    recorded_at TEXT    NOT NULL,
    UNIQUE (stream_id, revision)
  ) STRICT;
`;

export type Synchronous = 'FULL' | 'NORMAL';

/**
 * The raw baseline: better-sqlite3 on a WAL file, one row per
 * BEGIN IMMEDIATE..COMMIT, nothing else.
 */
export class RawEventTable {
  private readonly db: Database.Database;
  private readonly begin: Database.Statement;
  private readonly commit: Database.Statement;
  private readonly rollback: Database.Statement;
  private readonly insert: Database.Statement<[string, number, string, string, string, string, string]>;

  constructor(filename: string, synchronous: Synchronous = 'FULL') {
    this.db = new Database(filename);
    const mode: unknown = this.db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new Error(`${filename}: journal_mode is ${String(mode)}, not wal`);
    this.db.pragma(`synchronous = ${synchronous}`);
    const actual: unknown = this.db.pragma('synchronous', { simple: true });
    if (actual !== (synchronous === 'FULL' ? 2 : 1)) throw new Error(`${filename}: synchronous is ${String(actual)}, not ${synchronous}`);
    this.db.exec(SCHEMA);
    this.begin = this.db.prepare('BEGIN IMMEDIATE');
    this.commit = this.db.prepare('COMMIT');
    this.rollback = this.db.prepare('ROLLBACK');
    this.insert = this.db.prepare('INSERT INTO events (stream_id, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  }

  /** one row, in its own transaction; returns its position once the COMMIT (and its fsync) returned */
  insertOne(row: EventRowValues): number {
    this.begin.run();
    try {
      const position = Number(this.insert.run(row.streamId, 1, row.eventId, row.type, row.data, row.metadata, new Date().toISOString()).lastInsertRowid);
      this.commit.run();
      return position;
    } catch (error) {
      if (this.db.inTransaction) this.rollback.run();
      throw error;
    }
  }

  count(): number {
    return this.db.prepare<[], number>('SELECT COUNT(*) FROM events').pluck().get() ?? 0;
  }

  close(): void {
    this.db.close();
  }
}

const PLACEHOLDER = '00000000-0000-7000-8000-000000000000';

/**
 * Rows of the system's exact JSON sizes, cheaply: the ComplaintRegistered
 * row of the domain's decider is made once, and each row only swaps in fresh
 * UUIDv7 ids (same length) as the system draws them.
 */
export class RawRows {
  private readonly template: EventRowValues;

  constructor(now = new Date().toISOString()) {
    this.template = registeredRow(PLACEHOLDER, PLACEHOLDER, registerBody('13812345678'), now);
  }

  /** the bytes of data + metadata of every row */
  get payloadBytes(): number {
    return Buffer.byteLength(this.template.data) + Buffer.byteLength(this.template.metadata);
  }

  next(): EventRowValues {
    const complaintId = uuidv7();
    return {
      streamId: `complaint-${complaintId}`,
      eventId: uuidv7(),
      type: this.template.type,
      data: this.template.data.replace(PLACEHOLDER, complaintId),
      metadata: this.template.metadata,
    };
  }
}
