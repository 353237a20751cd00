import Database from 'better-sqlite3';
import { assertValidAppend, findRetriedAppend, revisionMatches, StoredEventRef } from '../append.rules';
import {
  AppendOptions,
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  ReadStreamResult,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
  SubscriptionHandler,
  WrongExpectedRevisionError,
} from '../event-store.port';
import { SubscriptionRegistry } from '../subscription/catch-up.subscription';
import { openSqliteFile, SqliteSynchronous } from './sqlite.connection';

export interface SqliteEventStoreOptions {
  /** the database file; its directory is created when missing */
  filename: string;
  /** default FULL: an acknowledged append survives a power cut */
  synchronous?: SqliteSynchronous;
  /** how often subscriptions look for commits made by other processes on the same file; default 250 ms */
  pollIntervalMs?: number;
  /** the most appends one transaction takes; default 1000 */
  maxBatch?: number;
  /** called after each commit (for metrics): how many appends and events it carried */
  onCommit?: (batch: { appends: number; events: number }) => void;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    -- AUTOINCREMENT: a position is never reused, even if the last events were deleted
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
  -- each stream's current revision, so the expected-revision check is one lookup
  CREATE TABLE IF NOT EXISTS streams (
    stream_id TEXT    PRIMARY KEY,
    revision  INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
`;

interface EventRow {
  position: number;
  stream_id: string;
  revision: number;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
}

interface QueuedAppend {
  streamId: string;
  expected: ExpectedRevision;
  /**
   * Serialised when append() is called: data that is not JSON fails only its
   * own append, and the caller may reuse its objects while this waits.
   */
  events: { id: string; type: string; data: string; metadata: string }[];
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; result: AppendResult } | { ok: false; error: unknown };

/**
 * The event store in one SQLite file.
 *
 * Appends are group-committed: the appends made in one turn of the event loop,
 * or while the previous transaction was being written (its fsync blocks the
 * loop), share a single BEGIN IMMEDIATE..COMMIT, so one fsync serves them all.
 * Each append in it is checked against the stream as the earlier appends of
 * the batch left it, and runs in its own savepoint: one that fails is rejected
 * alone. Every promise settles only after the COMMIT returned.
 *
 * Other processes may open the same file: SQLite serialises the writers, so
 * positions still follow commit order, and subscriptions find those commits by
 * polling.
 */
export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly maxBatch: number;
  private readonly onCommit: SqliteEventStoreOptions['onCommit'];
  private readonly subscriptions: SubscriptionRegistry;
  private readonly queue: QueuedAppend[] = [];
  private flushScheduled = false;
  private closing: Promise<void> | undefined;

  private readonly selectStreamRevision: Database.Statement<[string], number>;
  private readonly selectEventRef: Database.Statement<[string], StoredEventRef>;
  private readonly insertEvent: Database.Statement<[string, number, string, string, string, string, string]>;
  private readonly upsertStream: Database.Statement<[string, number]>;
  private readonly selectStream: Database.Statement<[string, number], EventRow>;
  private readonly selectAll: Database.Statement<[number, number], EventRow>;
  private readonly selectHead: Database.Statement<[], number>;
  private readonly writeBatch: Database.Transaction<(batch: QueuedAppend[], recordedAt: string, outcomes: Outcome[]) => void>;
  private readonly writeAppend: Database.Transaction<(append: QueuedAppend, recordedAt: string) => AppendResult>;
  private readonly readStreamSnapshot: Database.Transaction<(streamId: string, fromRevision: number) => ReadStreamResult>;

  constructor(options: SqliteEventStoreOptions) {
    this.db = openSqliteFile(options.filename, options.synchronous ?? 'FULL', SCHEMA);
    this.maxBatch = options.maxBatch ?? 1000;
    if (!(Number.isSafeInteger(this.maxBatch) && this.maxBatch > 0)) throw new RangeError(`maxBatch ${this.maxBatch} is not a positive integer`);
    this.onCommit = options.onCommit;
    this.subscriptions = new SubscriptionRegistry(this, options.pollIntervalMs ?? 250);

    const db = this.db;
    this.selectStreamRevision = db.prepare<[string], number>('SELECT revision FROM streams WHERE stream_id = ?').pluck();
    this.selectEventRef = db.prepare('SELECT stream_id AS streamId, revision, position FROM events WHERE event_id = ?');
    this.insertEvent = db.prepare(
      `INSERT INTO events (stream_id, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.upsertStream = db.prepare(
      'INSERT INTO streams (stream_id, revision) VALUES (?, ?) ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision',
    );
    this.selectStream = db.prepare('SELECT * FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision');
    // LIMIT -1 is no limit
    this.selectAll = db.prepare('SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ?');
    this.selectHead = db.prepare<[], number>('SELECT COALESCE(MAX(position), 0) FROM events').pluck();

    this.writeBatch = db.transaction((batch: QueuedAppend[], recordedAt: string, outcomes: Outcome[]) => {
      for (const append of batch) {
        try {
          outcomes.push({ ok: true, result: this.writeAppend(append, recordedAt) });
        } catch (error) {
          // SQLite aborts the whole transaction on some errors (disk full, I/O): then the batch fails.
          if (!db.inTransaction) throw error;
          outcomes.push({ ok: false, error });
        }
      }
    });
    // Called inside writeBatch, better-sqlite3 runs this in a SAVEPOINT, undone alone when it throws.
    this.writeAppend = db.transaction((append: QueuedAppend, recordedAt: string) => this.applyAppend(append, recordedAt));
    // One read transaction, so the revision and the events agree even while another process writes.
    this.readStreamSnapshot = db.transaction((streamId: string, fromRevision: number) => ({
      revision: this.selectStreamRevision.get(streamId) ?? 0,
      events: this.selectStream.all(streamId, fromRevision).map(toRecordedEvent),
    }));
  }

  append(streamId: string, events: NewEvent[], { expectedRevision }: AppendOptions): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      if (this.closing) throw new Error('the event store is closed');
      assertValidAppend(streamId, events, expectedRevision);
      const serialised = events.map(({ id, type, data, metadata }) => ({
        id,
        type,
        data: JSON.stringify(data ?? null),
        metadata: JSON.stringify(metadata ?? {}),
      }));
      this.queue.push({ streamId, expected: expectedRevision, events: serialised, resolve, reject });
      this.scheduleFlush();
    });
  }

  async readStream(streamId: string, options: { fromRevision?: number } = {}): Promise<ReadStreamResult> {
    return this.readStreamSnapshot(streamId, options.fromRevision ?? 1);
  }

  async readAll({ fromPosition, limit }: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.selectAll.all(fromPosition, limit ?? -1).map(toRecordedEvent);
  }

  async headPosition(): Promise<number> {
    return this.selectHead.get() ?? 0;
  }

  subscribe(handler: SubscriptionHandler, options: SubscribeOptions): Subscription {
    if (this.closing) throw new Error('the event store is closed');
    return this.subscriptions.subscribe(handler, options);
  }

  /** Commits the appends already made, stops the subscriptions, then closes the file. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      while (this.queue.length > 0) this.flush();
      await this.subscriptions.closeAll();
      this.db.close();
    })();
    return this.closing;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // setImmediate rather than a microtask: it runs after pending I/O callbacks, so it collects their appends too.
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue.splice(0, this.maxBatch);
    if (batch.length === 0) return;
    if (this.queue.length > 0) this.scheduleFlush();

    const outcomes: Outcome[] = [];
    try {
      this.writeBatch.immediate(batch, new Date().toISOString(), outcomes);
    } catch (commitError) {
      // Nothing of the batch is stored; an append that had failed its own checks keeps its own reason.
      batch.forEach((append, i) => {
        const outcome = outcomes[i];
        append.reject(outcome && !outcome.ok ? outcome.error : commitError);
      });
      return;
    }

    batch.forEach((append, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) append.resolve(outcome.result);
      else append.reject(outcome.error);
    });
    if (outcomes.some((outcome) => outcome.ok && outcome.result.written)) this.subscriptions.notifyCommitted();
    this.onCommit?.({ appends: batch.length, events: batch.reduce((sum, append) => sum + append.events.length, 0) });
  }

  private applyAppend(append: QueuedAppend, recordedAt: string): AppendResult {
    const { streamId, events, expected } = append;
    // Inside the transaction these reads see the batch's earlier appends.
    const ids = events.map((event) => event.id);
    const retried = findRetriedAppend(streamId, ids, expected, (id) => this.selectEventRef.get(id));
    if (retried) return { nextRevision: retried.revision, lastPosition: retried.position, written: false };

    const current = this.selectStreamRevision.get(streamId) ?? 0;
    if (!revisionMatches(expected, current)) throw new WrongExpectedRevisionError(streamId, expected, current);

    let revision = current;
    let position = 0;
    for (const { id, type, data, metadata } of events) {
      revision += 1;
      position = Number(this.insertEvent.run(streamId, revision, id, type, data, metadata, recordedAt).lastInsertRowid);
    }
    this.upsertStream.run(streamId, revision);
    return { nextRevision: revision, lastPosition: position, written: true };
  }
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    streamId: row.stream_id,
    type: row.type,
    data: JSON.parse(row.data),
    metadata: JSON.parse(row.metadata),
    revision: row.revision,
    position: row.position,
    recordedAt: row.recorded_at,
  };
}
