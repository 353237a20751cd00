import Database from 'better-sqlite3';
import { assertValidAppend, findRetriedAppend, revisionMatches, StoredEventRef } from '../append.rules';
import { EventLogImport, ImportMismatchError } from '../event-log-import';
import {
  AppendOptions,
  AppendResult,
  BackgroundLogReader,
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
import { CommittedEvents, SubscriptionRegistry } from '../subscription/catch-up.subscription';
import { openSqliteFile, SqliteSynchronous } from './sqlite.connection';
import { SqliteLogReader } from './sqlite.log-reader';

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
    -- also how the current revision of a stream is found: MAX(revision) is one seek in it
    UNIQUE (stream_id, revision)
  ) STRICT;
  -- Earlier versions kept each stream's revision in a table of its own, updated on every append;
  -- the index above answers as fast. Dropped rather than left to go stale.
  DROP TABLE IF EXISTS streams;
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

/**
 * An event serialised when append() is called: data that is not JSON fails
 * only its own append, before anything is written, and the caller may reuse
 * its objects while this waits.
 */
interface SerialisedEvent {
  id: string;
  type: string;
  data: string;
  metadata: string;
}

interface QueuedAppend {
  streamId: string;
  expected: ExpectedRevision;
  events: SerialisedEvent[];
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

/** An event the transaction being built wrote, kept to hand to this process's subscriptions after the commit. */
interface WrittenEvent {
  event: SerialisedEvent;
  streamId: string;
  revision: number;
  position: number;
}

type Outcome = { ok: true; result: AppendResult } | { ok: false; error: unknown };

/**
 * The event store in one SQLite file.
 *
 * Appends are group-committed: the appends made in one turn of the event loop,
 * or while the previous transaction was being written (its fsync blocks the
 * loop), share a single BEGIN IMMEDIATE..COMMIT, so one fsync serves them all.
 * Each append in it is checked against the stream as the earlier appends of
 * the batch left it, and one that fails is rejected alone, having written
 * nothing. What can fail is checked before anything is written (the JSON when
 * append() is called, the expected revision against the stream's last one),
 * except what the UNIQUE constraints report: an event id stored already (a
 * retry, or ids reused), a stream expected to be new that exists. An INSERT
 * they refuse writes nothing, and the events of an append of several are
 * written in a savepoint, so no append needs one of its own for that. Every
 * promise settles only after the COMMIT returned; then the subscriptions of
 * this process are handed the committed events.
 *
 * Other processes may open the same file: SQLite serialises the writers, so
 * positions still follow commit order, and subscriptions find those commits by
 * polling. Nothing about the log is kept in memory between transactions: each
 * append reads the stream's revision inside the transaction that writes it.
 */
export class SqliteEventStore implements EventStore, EventLogImport {
  private readonly db: Database.Database;
  private readonly maxBatch: number;
  private readonly onCommit: SqliteEventStoreOptions['onCommit'];
  private readonly subscriptions: SubscriptionRegistry;
  private readonly queue: QueuedAppend[] = [];
  private flushScheduled = false;
  private closing: Promise<void> | undefined;
  private readonly commitListeners = new Set<(lastPosition: number) => void>();

  private readonly selectStreamRevision: Database.Statement<[string], number | null>;
  private readonly selectEventRef: Database.Statement<[string], StoredEventRef>;
  private readonly insertEvent: Database.Statement<[string, number, string, string, string, string, string]>;
  private readonly selectStream: Database.Statement<[string, number], EventRow>;
  private readonly selectAll: Database.Statement<[number, number], EventRow>;
  private readonly filename: string;
  private readonly selectAllByLimit = new Map<number, Database.Statement<[number], EventRow>>();
  private readonly selectHead: Database.Statement<[], number>;
  private readonly writeBatch: Database.Transaction<(batch: QueuedAppend[], recordedAt: string, outcomes: Outcome[], written: WrittenEvent[]) => void>;
  private readonly insertInSavepoint: Database.Transaction<(streamId: string, current: number, events: SerialisedEvent[], recordedAt: string) => number[]>;
  private readonly readStreamSnapshot: Database.Transaction<(streamId: string, fromRevision: number) => ReadStreamResult>;
  private readonly insertImported: Database.Statement<[number, string, number, string, string, string, string, string]>;
  private readonly importBatch: Database.Transaction<(events: readonly RecordedEvent[], rows: SerialisedEvent[]) => void>;

  constructor(options: SqliteEventStoreOptions) {
    this.filename = options.filename;
    this.db = openSqliteFile(options.filename, options.synchronous ?? 'FULL', SCHEMA);
    this.maxBatch = options.maxBatch ?? 1000;
    if (!(Number.isSafeInteger(this.maxBatch) && this.maxBatch > 0)) throw new RangeError(`maxBatch ${this.maxBatch} is not a positive integer`);
    this.onCommit = options.onCommit;
    this.subscriptions = new SubscriptionRegistry(this, options.pollIntervalMs ?? 250);

    const db = this.db;
    // One seek in the UNIQUE (stream_id, revision) index; NULL when the stream does not exist.
    this.selectStreamRevision = db.prepare<[string], number | null>('SELECT MAX(revision) FROM events WHERE stream_id = ?').pluck();
    this.selectEventRef = db.prepare('SELECT stream_id AS streamId, revision, position FROM events WHERE event_id = ?');
    this.insertEvent = db.prepare(
      `INSERT INTO events (stream_id, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.selectStream = db.prepare('SELECT * FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision');
    // LIMIT -1 is no limit. For the usual limits, see selectAllStatement.
    this.selectAll = db.prepare('SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ?');
    this.selectHead = db.prepare<[], number>('SELECT COALESCE(MAX(position), 0) FROM events').pluck();

    this.writeBatch = db.transaction((batch: QueuedAppend[], recordedAt: string, outcomes: Outcome[], written: WrittenEvent[]) => {
      for (const append of batch) {
        try {
          outcomes.push({ ok: true, result: this.applyAppend(append, recordedAt, written) });
        } catch (error) {
          // SQLite aborts the whole transaction on some errors (disk full, I/O): then the batch fails.
          if (!db.inTransaction) throw error;
          outcomes.push({ ok: false, error });
        }
      }
    });
    // Called inside writeBatch, better-sqlite3 runs this in a SAVEPOINT, undone alone when it throws.
    this.insertInSavepoint = db.transaction((streamId: string, current: number, events: SerialisedEvent[], recordedAt: string) =>
      events.map(({ id, type, data, metadata }, i) =>
        Number(this.insertEvent.run(streamId, current + i + 1, id, type, data, metadata, recordedAt).lastInsertRowid),
      ),
    );
    // An imported event keeps its position: written explicitly, AUTOINCREMENT goes on after it.
    this.insertImported = db.prepare(
      `INSERT INTO events (position, stream_id, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.importBatch = db.transaction((events: readonly RecordedEvent[], rows: SerialisedEvent[]) => {
      const head = this.selectHead.get() ?? 0;
      const revisions = new Map<string, number>();
      events.forEach((event, i) => {
        if (event.position !== head + 1 + i) throw new ImportMismatchError(event, `position ${head + 1 + i}`);
        const current = revisions.get(event.streamId) ?? this.selectStreamRevision.get(event.streamId) ?? 0;
        if (event.revision !== current + 1) throw new ImportMismatchError(event, `revision ${current + 1} of stream ${event.streamId}`);
        revisions.set(event.streamId, event.revision);
        const { id, type, data, metadata } = rows[i];
        this.insertImported.run(event.position, event.streamId, event.revision, id, type, data, metadata, event.recordedAt);
      });
    });
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
      this.queue.push({ streamId, expected: expectedRevision, events: serialise(events), resolve, reject });
      this.scheduleFlush();
    });
  }

  async readStream(streamId: string, options: { fromRevision?: number } = {}): Promise<ReadStreamResult> {
    const fromRevision = options.fromRevision ?? 1;
    // One statement reads one snapshot, and the last event it returns is at the stream's revision.
    const rows = this.selectStream.all(streamId, fromRevision);
    if (rows.length > 0) return { revision: rows[rows.length - 1].revision, events: rows.map(toRecordedEvent) };
    if (fromRevision <= 1) return { revision: 0, events: [] };
    // Nothing from that revision on: the revision needs a query of its own, in the same snapshot.
    return this.readStreamSnapshot(streamId, fromRevision);
  }

  async readAll({ fromPosition, limit }: ReadAllOptions): Promise<RecordedEvent[]> {
    const withLimit = this.selectAllWithLimit(limit ?? -1);
    const rows = withLimit ? withLimit.all(fromPosition) : this.selectAll.all(fromPosition, limit ?? -1);
    return rows.map(toRecordedEvent);
  }

  /**
   * A reader of this file's log in a worker thread with a connection of its
   * own (WAL: it reads committed snapshots beside this one). For a long read
   * of the whole log while the caller works on what it read (the projection
   * runner's rebuild): readAll blocks the thread that calls it. Close it when done.
   */
  openBackgroundReader(): BackgroundLogReader {
    if (this.closing) throw new Error('the event store is closed');
    return new SqliteLogReader(this.filename);
  }

  async headPosition(): Promise<number> {
    return this.selectHead.get() ?? 0;
  }

  subscribe(handler: SubscriptionHandler, options: SubscribeOptions): Subscription {
    if (this.closing) throw new Error('the event store is closed');
    return this.subscriptions.subscribe(handler, options);
  }

  /**
   * Calls `listener` right after each commit of this process that stored
   * events, with the position of its last one: cheaper than a subscription
   * (no event is read or parsed) for a reader elsewhere, such as a projection
   * runner in a worker thread, that only needs to know when to look.
   *
   * @returns a function that removes the listener
   */
  onCommitted(listener: (lastPosition: number) => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  /**
   * Copies events of another store (EventLogImport, for npm run store:migrate)
   * in one transaction: each at its own position and revision, with the time
   * its first store recorded it. Appends queued meanwhile wait for the next
   * batch, as they would behind any transaction.
   */
  async importEvents(events: readonly RecordedEvent[]): Promise<void> {
    if (this.closing) throw new Error('the event store is closed');
    if (events.length === 0) return;
    const rows = serialise(events);
    this.importBatch.immediate(events, rows);
    this.subscriptions.notifyCommitted();
    const last = events[events.length - 1].position;
    for (const listener of this.commitListeners) listener(last);
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
    const written: WrittenEvent[] = [];
    const recordedAt = new Date().toISOString();
    try {
      this.writeBatch.immediate(batch, recordedAt, outcomes, written);
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
    if (written.length > 0) {
      this.subscriptions.notifyCommitted(new SqliteCommit(written, recordedAt));
      const last = written[written.length - 1].position;
      for (const listener of this.commitListeners) listener(last);
    }
    this.onCommit?.({ appends: batch.length, events: batch.reduce((sum, append) => sum + append.events.length, 0) });
  }

  /**
   * better-sqlite3 builds SQLite with STAT4, under which binding a value to a
   * LIMIT parameter expires the statement, so that each run prepares it again
   * (a read of a few events then costs several times as much). So each limit
   * gets a statement of its own with the limit written in: callers use a few
   * (their batch sizes); past a handful, the one with the parameter serves.
   */
  private selectAllWithLimit(limit: number): Database.Statement<[number], EventRow> | undefined {
    let statement = this.selectAllByLimit.get(limit);
    if (statement === undefined && Number.isSafeInteger(limit) && this.selectAllByLimit.size < 8) {
      statement = this.db.prepare<[number], EventRow>(`SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ${limit}`);
      this.selectAllByLimit.set(limit, statement);
    }
    return statement;
  }

  /** Inside the batch's transaction: its reads see the batch's earlier appends, and only this process writes. */
  private applyAppend(append: QueuedAppend, recordedAt: string, written: WrittenEvent[]): AppendResult {
    const { streamId, events, expected } = append;
    // A new stream needs no lookup: its events take revisions from 1, and the UNIQUE (stream_id, revision)
    // constraint refuses them if the stream exists (revisions are gap-free from 1, so it holds revision 1).
    const current = expected === 0 || expected === 'no_stream' ? 0 : (this.selectStreamRevision.get(streamId) ?? 0);
    if (!revisionMatches(expected, current)) return this.refuse(append, current);

    let positions: number[];
    try {
      positions =
        events.length === 1
          ? [Number(this.insertEvent.run(streamId, current + 1, events[0].id, events[0].type, events[0].data, events[0].metadata, recordedAt).lastInsertRowid)]
          : this.insertInSavepoint(streamId, current, events, recordedAt);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // Nothing of this append is stored now: the failed INSERT, or the savepoint, was undone.
      // The stream exists after all, or an event id is stored already (a retry, or ids reused).
      const actual = this.selectStreamRevision.get(streamId) ?? 0;
      if (!revisionMatches(expected, actual)) return this.refuse(append, actual);
      const retried = this.findRetried(append);
      if (retried) return retried;
      throw error;
    }
    events.forEach((event, i) => written.push({ event, streamId, revision: current + i + 1, position: positions[i] }));
    return { nextRevision: current + events.length, lastPosition: positions[positions.length - 1], written: true };
  }

  /** The stream is not at the expected revision: fine for a retry (whatever the stream did since), refused otherwise. */
  private refuse(append: QueuedAppend, actual: number): AppendResult {
    const retried = this.findRetried(append);
    if (retried) return retried;
    throw new WrongExpectedRevisionError(append.streamId, append.expected, actual);
  }

  /** the original result when the append's events are stored already; throws when some are stored elsewhere */
  private findRetried({ streamId, events, expected }: QueuedAppend): AppendResult | undefined {
    const ids = events.map((event) => event.id);
    const retried = findRetriedAppend(streamId, ids, expected, (id) => this.selectEventRef.get(id));
    return retried && { nextRevision: retried.revision, lastPosition: retried.position, written: false };
  }
}

/** The events of one commit, parsed again for each subscription that takes them, as a read would. */
class SqliteCommit implements CommittedEvents {
  readonly firstPosition: number;
  readonly lastPosition: number;

  constructor(
    private readonly written: readonly WrittenEvent[],
    private readonly recordedAt: string,
  ) {
    this.firstPosition = written[0].position;
    this.lastPosition = written[written.length - 1].position;
  }

  events(): RecordedEvent[] {
    return this.written.map(({ event, streamId, revision, position }) => ({
      id: event.id,
      streamId,
      type: event.type,
      data: JSON.parse(event.data),
      metadata: JSON.parse(event.metadata),
      revision,
      position,
      recordedAt: this.recordedAt,
    }));
  }
}

function serialise(events: readonly Pick<NewEvent, 'id' | 'type' | 'data' | 'metadata'>[]): SerialisedEvent[] {
  // The events of one command usually share their metadata object: stringify it once.
  let metadataOf: unknown;
  let metadataJson = '';
  return events.map(({ id, type, data, metadata }, i) => {
    if (i === 0 || metadata !== metadataOf) {
      metadataOf = metadata;
      metadataJson = JSON.stringify(metadata ?? {});
    }
    return { id, type, data: JSON.stringify(data ?? null), metadata: metadataJson };
  });
}

/**
 * By its code rather than `instanceof Database.SqliteError`: the native addon
 * keeps the error class of the first copy of better-sqlite3 loaded in the
 * process, which is not this one under a module registry such as Jest's.
 */
function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE';
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
