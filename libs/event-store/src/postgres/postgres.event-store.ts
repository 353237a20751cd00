import { randomUUID } from 'node:crypto';
import type { Client, Pool, PoolClient } from 'pg';
import { assertValidAppend, findRetriedAppend, revisionMatches, StoredEventRef } from '../append.rules';
import { EventLogImport, ImportMismatchError } from '../event-log-import';
import {
  AppendOptions,
  AppendResult,
  EventMetadata,
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
import { DEFAULT_SCHEMA, ensureSchema, openPool, pg, PostgresConnectionOptions, quotedSchema, reportConnectionError } from './postgres.connection';

export interface PostgresEventStoreOptions extends PostgresConnectionOptions {
  /**
   * How often subscriptions read for commits of other processes whose
   * notification did not arrive (the LISTEN connection was down); default 1000 ms.
   */
  pollIntervalMs?: number;
  /** LISTEN for the commits of other processes, so subscriptions wake at once; default true */
  listen?: boolean;
  /** the most appends one transaction takes; default 1000 */
  maxBatch?: number;
  /** called after each commit (for metrics): how many appends and events it carried */
  onCommit?: (batch: { appends: number; events: number }) => void;
}

function schemaDdl(s: string): string {
  return `
    CREATE TABLE IF NOT EXISTS ${s}.events (
      -- Not a sequence: the appender assigns positions while it holds the events_head row, so they
      -- follow commit order without gaps (a sequence leaves a gap at every rollback).
      position    bigint      PRIMARY KEY,
      stream_id   text        NOT NULL,
      revision    bigint      NOT NULL,
      -- text, not uuid: an id comes back exactly as it was given, as in the other adapters
      event_id    text        NOT NULL UNIQUE,
      type        text        NOT NULL,
      -- json, not jsonb: kept as written, key order included (jsonb reorders keys)
      data        json        NOT NULL,
      metadata    json        NOT NULL,
      recorded_at timestamptz NOT NULL,
      -- also how the current revision of a stream is found: max(revision) is one seek in it
      UNIQUE (stream_id, revision)
    );
    -- One row: the last position, and the lock that every append transaction takes first.
    CREATE TABLE IF NOT EXISTS ${s}.events_head (
      one      boolean PRIMARY KEY DEFAULT true CHECK (one),
      position bigint  NOT NULL
    );
    INSERT INTO ${s}.events_head (position) SELECT COALESCE(max(position), 0) FROM ${s}.events ON CONFLICT DO NOTHING;
  `;
}

const EVENT_COLUMNS = 'position, stream_id, revision, event_id, type, data, metadata, recorded_at';

function statements(s: string) {
  return {
    // FOR UPDATE waits for the transaction holding the row, then returns the row as that transaction left it.
    lockHead: `SELECT position FROM ${s}.events_head FOR UPDATE`,
    // The current revision of each stream of the batch, and where each of its event ids is stored already.
    lookUp: `
      SELECT s.stream_id, NULL::text AS event_id,
             (SELECT max(e.revision) FROM ${s}.events AS e WHERE e.stream_id = s.stream_id) AS revision, NULL::bigint AS position
        FROM unnest($1::text[]) AS s (stream_id)
      UNION ALL
      SELECT stream_id, event_id, revision, position FROM ${s}.events WHERE event_id = ANY($2::text[])`,
    // One statement for the whole batch, whatever its size: the events as arrays, the head, the notification
    // (delivered at commit). Data-modifying WITH clauses run whether or not the query reads them.
    insert: `
      WITH inserted AS (
        INSERT INTO ${s}.events (${EVENT_COLUMNS})
        SELECT position, stream_id, revision, event_id, type, data::json, metadata::json, $8::timestamptz
          FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[])
            AS e (position, stream_id, revision, event_id, type, data, metadata)
      ), head AS (
        UPDATE ${s}.events_head SET position = $9
      )
      SELECT pg_notify($10, $11)`,
    // As insert, for events copied from another store: each keeps its own recorded time.
    importInsert: `
      WITH inserted AS (
        INSERT INTO ${s}.events (${EVENT_COLUMNS})
        SELECT position, stream_id, revision, event_id, type, data::json, metadata::json, recorded_at::timestamptz
          FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
            AS e (position, stream_id, revision, event_id, type, data, metadata, recorded_at)
      ), head AS (
        UPDATE ${s}.events_head SET position = $9
      )
      SELECT pg_notify($10, $11)`,
    // One statement, so the stream's revision and its events come from one snapshot.
    readStream: `
      SELECT h.stream_revision, ${EVENT_COLUMNS.replace(/(\w+)/g, 'e.$1')}
        FROM (SELECT COALESCE(max(revision), 0) AS stream_revision FROM ${s}.events WHERE stream_id = $1) AS h
        LEFT JOIN ${s}.events AS e ON e.stream_id = $1 AND e.revision >= $2
       ORDER BY e.revision`,
    // LIMIT NULL is no limit.
    readAll: `SELECT ${EVENT_COLUMNS} FROM ${s}.events WHERE position > $1 ORDER BY position LIMIT $2`,
    head: `SELECT position FROM ${s}.events_head`,
    // commitOne: one append of one event, in one statement. The head's UPDATE locks its row (waiting for the writer
    // holding it, then taking the row as that writer left it), so positions follow commit order as in insert; the
    // stream's revision and the stored ids come from the statement's snapshot, which a writer committing while this
    // one waited is not in: what that writer stored makes the INSERT fail on a unique key instead (see commitOne).
    appendOne: `
      WITH stream AS (SELECT COALESCE(max(revision), 0) AS revision FROM ${s}.events WHERE stream_id = $1),
           ok AS (
             SELECT stream.revision FROM stream
              WHERE ($2 = 'any' OR ($2 = 'no_stream' AND stream.revision = 0) OR ($2 = 'stream_exists' AND stream.revision > 0)
                     OR stream.revision = $3::bigint)
                AND NOT EXISTS (SELECT 1 FROM ${s}.events WHERE event_id = $4)
           ),
           head AS (UPDATE ${s}.events_head SET position = position + 1 WHERE EXISTS (SELECT 1 FROM ok) RETURNING position),
           inserted AS (
             INSERT INTO ${s}.events (${EVENT_COLUMNS})
             SELECT head.position, $1, ok.revision + 1, $4, $5, $6::json, $7::json, $8::timestamptz FROM head, ok
           )
      SELECT ok.revision, head.position, pg_notify($9, $10) FROM ok, head`,
  };
}

/** PostgreSQL's unique_violation */
const UNIQUE_VIOLATION = '23505';

/** bigint columns arrive as strings from pg; positions and revisions stay far below 2^53. */
interface EventRow {
  position: string;
  stream_id: string;
  revision: string;
  event_id: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  recorded_at: Date;
}

interface LookUpRow {
  stream_id: string;
  event_id: string | null;
  revision: string | null;
  position: string | null;
}

/** An event serialised when append() is called: data that is not JSON fails only its own append, before anything is sent. */
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

interface WrittenEvent {
  event: SerialisedEvent;
  streamId: string;
  revision: number;
  position: number;
}

type Outcome = { ok: true; result: AppendResult } | { ok: false; error: unknown };

/**
 * The event store in PostgreSQL.
 *
 * Positions. Every append transaction first locks the one row of
 * `events_head` and takes its positions from there, so writers, in this
 * process or any other, commit one at a time in position order: the next one
 * gets the row only after the previous one's commit is visible. Every snapshot
 * therefore sees a prefix of the log, positions are gap-free from 1, and a
 * reader that asks for what follows the last position it saw can never miss
 * an event that commits later with a lower position. (The alternative, a
 * sequence read through `pg_snapshot_xmin`, leaves gaps at rollbacks, orders
 * by transaction id rather than position, and holds every reader back behind
 * any long writing transaction on the whole server.)
 *
 * Group commit. The appends made in one turn of the event loop, or while the
 * previous transaction was in flight, share one transaction and so one lock
 * and one WAL flush: lock the head, look up the batch's streams and event ids
 * (one query), decide each append in order in memory as the earlier ones left
 * the streams, write all accepted events in one INSERT of arrays, COMMIT.
 * An append that fails its checks is rejected alone, having written nothing
 * and taken no position. Should PostgreSQL refuse the batch (data it cannot
 * store), or the connection break so that the COMMIT's fate is unknown, each
 * append is tried again alone: idempotency by event id makes that safe.
 *
 * Subscriptions are woken at once by this process's commits (and handed
 * their events), by other processes' commits through LISTEN/NOTIFY, and by a
 * poll in case a notification was lost.
 */
export class PostgresEventStore implements EventStore, EventLogImport {
  private readonly pool: Pool;
  private readonly schema: string;
  private readonly sql: ReturnType<typeof statements>;
  private readonly ddl: string;
  /** pg_notify's channel; LISTEN takes it as a quoted identifier */
  private readonly channel: string;
  /** the NOTIFY payload of this store's commits, so that its own are not read back */
  private readonly instanceId = randomUUID();
  private readonly maxBatch: number;
  private readonly pollIntervalMs: number;
  private readonly onCommit: PostgresEventStoreOptions['onCommit'];
  private readonly onError: (error: unknown) => void;
  private readonly subscriptions: SubscriptionRegistry;
  private readonly queue: QueuedAppend[] = [];
  private writeScheduled = false;
  private writer: Promise<void> | undefined;
  private listener: Client | undefined;
  private relistenTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;

  /** Connects, creates the schema and tables when missing, and starts listening. */
  static async open(options: PostgresEventStoreOptions): Promise<PostgresEventStore> {
    const store = new PostgresEventStore(options);
    try {
      await ensureSchema(store.pool, store.schema, store.ddl);
      if (options.listen ?? true) await store.listen();
    } catch (error) {
      await store.close().catch(() => undefined);
      throw error;
    }
    return store;
  }

  private constructor(private readonly options: PostgresEventStoreOptions) {
    this.schema = options.schema ?? DEFAULT_SCHEMA;
    const s = quotedSchema(this.schema);
    this.sql = statements(s);
    this.ddl = schemaDdl(s);
    this.channel = `${this.schema}.events`;
    this.maxBatch = options.maxBatch ?? 1000;
    if (!(Number.isSafeInteger(this.maxBatch) && this.maxBatch > 0)) throw new RangeError(`maxBatch ${this.maxBatch} is not a positive integer`);
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.onCommit = options.onCommit;
    this.onError = options.onError ?? reportConnectionError;
    this.pool = openPool(options);
    this.subscriptions = new SubscriptionRegistry(this, this.pollIntervalMs);
  }

  append(streamId: string, events: NewEvent[], { expectedRevision }: AppendOptions): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      if (this.closing) throw new Error('the event store is closed');
      assertValidAppend(streamId, events, expectedRevision);
      this.queue.push({ streamId, expected: expectedRevision, events: serialise(events), resolve, reject });
      this.scheduleWrite();
    });
  }

  async readStream(streamId: string, options: { fromRevision?: number } = {}): Promise<ReadStreamResult> {
    const { rows } = await this.pool.query<EventRow & { stream_revision: string }>({
      name: 'read_stream',
      text: this.sql.readStream,
      values: [streamId, options.fromRevision ?? 1],
    });
    return {
      revision: Number(rows[0].stream_revision),
      // The LEFT JOIN gives one row of NULLs when no event matches.
      events: rows[0].position === null ? [] : rows.map(toRecordedEvent),
    };
  }

  async readAll({ fromPosition, limit }: ReadAllOptions): Promise<RecordedEvent[]> {
    const { rows } = await this.pool.query<EventRow>({ name: 'read_all', text: this.sql.readAll, values: [fromPosition, limit ?? null] });
    return rows.map(toRecordedEvent);
  }

  async headPosition(): Promise<number> {
    const { rows } = await this.pool.query<{ position: string }>({ name: 'head', text: this.sql.head });
    return Number(rows[0].position);
  }

  subscribe(handler: SubscriptionHandler, options: SubscribeOptions): Subscription {
    if (this.closing) throw new Error('the event store is closed');
    return this.subscriptions.subscribe(handler, options);
  }

  /**
   * Copies events of another store (EventLogImport, for npm run store:migrate)
   * in one transaction under the head lock, like a batch of appends: each at
   * its own position and revision, with the time its first store recorded it.
   */
  async importEvents(events: readonly RecordedEvent[]): Promise<void> {
    if (this.closing) throw new Error('the event store is closed');
    if (events.length === 0) return;
    const rows = serialise(events);
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const head = Number((await client.query<{ position: string }>({ name: 'lock_head', text: this.sql.lockHead })).rows[0].position);
      const state = await this.lookUp(client, events.map((event) => ({ streamId: event.streamId, events: [event] })), head);
      events.forEach((event, i) => {
        if (event.position !== head + 1 + i) throw new ImportMismatchError(event, `position ${head + 1 + i}`);
        const current = state.revisions.get(event.streamId) ?? 0;
        if (event.revision !== current + 1) throw new ImportMismatchError(event, `revision ${current + 1} of stream ${event.streamId}`);
        const stored = state.stored.get(event.id);
        if (stored) throw new ImportMismatchError(event, `the place of the event stored with its id (position ${stored.position})`);
        state.revisions.set(event.streamId, event.revision);
      });
      await client.query({
        name: 'import_events',
        text: this.sql.importInsert,
        values: [
          events.map((event) => event.position),
          events.map((event) => event.streamId),
          events.map((event) => event.revision),
          rows.map((row) => row.id),
          rows.map((row) => row.type),
          rows.map((row) => row.data),
          rows.map((row) => row.metadata),
          events.map((event) => event.recordedAt),
          events[events.length - 1].position,
          this.channel,
          this.instanceId,
        ],
      });
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      client.release(broken);
    }
    this.subscriptions.notifyCommitted();
  }

  /** Commits the appends already made, stops the subscriptions, then closes the connections. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      while (this.writer || this.queue.length > 0) await this.startWriter();
      await this.subscriptions.closeAll();
      clearTimeout(this.relistenTimer);
      const listener = this.listener;
      this.listener = undefined;
      await listener?.end().catch(() => undefined);
      await this.pool.end();
    })();
    return this.closing;
  }

  private scheduleWrite(): void {
    if (this.writeScheduled || this.writer) return;
    this.writeScheduled = true;
    // setImmediate rather than a microtask: it runs after pending I/O callbacks, so it collects their appends too.
    setImmediate(() => {
      this.writeScheduled = false;
      void this.startWriter();
    });
  }

  /** One writer at a time: the appends queued while its transaction is in flight make up its next batch. */
  private startWriter(): Promise<void> {
    this.writer ??= (async () => {
      while (this.queue.length > 0) await this.writeBatch(this.queue.splice(0, this.maxBatch));
    })().finally(() => {
      this.writer = undefined;
      // Appends queued between the loop's last look and now.
      if (this.queue.length > 0) void this.startWriter();
    });
    return this.writer;
  }

  /** Settles every append of the batch; never throws. */
  private async writeBatch(batch: QueuedAppend[]): Promise<void> {
    const recordedAt = new Date().toISOString();
    let outcomes: Outcome[];
    let written: WrittenEvent[];
    try {
      const one = batch.length === 1 && batch[0].events.length === 1 ? await this.commitOne(batch[0], recordedAt) : undefined;
      ({ outcomes, written } = one ?? (await this.commitBatch(batch, recordedAt)));
    } catch (error) {
      // PostgreSQL refused something of one append (a NUL in a stream id), failing them all, or the connection
      // broke and the COMMIT's fate is unknown: alone, each append is written, recognised as written, or fails.
      if (batch.length === 1) batch[0].reject(error);
      else for (const append of batch) await this.writeBatch([append]);
      // Had the transaction committed after all, no subscription was handed its events: let them read.
      this.subscriptions.notifyCommitted();
      return;
    }
    batch.forEach((append, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) append.resolve(outcome.result);
      else append.reject(outcome.error);
    });
    if (written.length > 0) this.subscriptions.notifyCommitted(new PostgresCommit(written, recordedAt));
    this.onCommit?.({ appends: batch.length, events: batch.reduce((sum, append) => sum + append.events.length, 0) });
  }

  /**
   * An append of one event alone in its batch (one command in flight, a
   * quiet moment) in one statement, without a transaction of its own: a
   * round trip and a commit, as a plain INSERT. It writes only when the
   * expectation holds on what its snapshot shows and the id is not stored
   * there. Anything else goes to commitBatch, which decides as always:
   * the expectation not met or the id stored (a conflict, a retry), or a
   * unique key refusing the INSERT because a writer committed the same
   * stream revision or id while this statement waited for the head.
   *
   * @returns undefined when it wrote nothing (commitBatch decides)
   */
  private async commitOne(append: QueuedAppend, recordedAt: string): Promise<{ outcomes: Outcome[]; written: WrittenEvent[] } | undefined> {
    const [event] = append.events;
    const { expected } = append;
    let rows: { revision: string; position: string }[];
    try {
      ({ rows } = await this.pool.query<{ revision: string; position: string }>({
        name: 'append_one',
        text: this.sql.appendOne,
        values: [
          append.streamId,
          typeof expected === 'number' ? 'exact' : expected,
          typeof expected === 'number' ? expected : -1,
          event.id,
          event.type,
          event.data,
          event.metadata,
          recordedAt,
          this.channel,
          this.instanceId,
        ],
      }));
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) return undefined;
      throw error;
    }
    if (rows.length === 0) return undefined;
    const written = [{ event, streamId: append.streamId, revision: Number(rows[0].revision) + 1, position: Number(rows[0].position) }];
    return { outcomes: [{ ok: true, result: { nextRevision: written[0].revision, lastPosition: written[0].position, written: true } }], written };
  }

  private async commitBatch(batch: QueuedAppend[], recordedAt: string): Promise<{ outcomes: Outcome[]; written: WrittenEvent[] }> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      // From here until COMMIT no other writer of this schema runs: what the batch reads stays true.
      const head = await client.query<{ position: string }>({ name: 'lock_head', text: this.sql.lockHead });
      const state = await this.lookUp(client, batch, Number(head.rows[0].position));
      const outcomes = batch.map((append): Outcome => {
        try {
          return { ok: true, result: state.apply(append) };
        } catch (error) {
          return { ok: false, error };
        }
      });
      if (state.written.length > 0) {
        const rows = state.written;
        await client.query({
          name: 'insert_events',
          text: this.sql.insert,
          values: [
            rows.map((row) => row.position),
            rows.map((row) => row.streamId),
            rows.map((row) => row.revision),
            rows.map((row) => row.event.id),
            rows.map((row) => row.event.type),
            rows.map((row) => row.event.data),
            rows.map((row) => row.event.metadata),
            recordedAt,
            state.position,
            this.channel,
            this.instanceId,
          ],
        });
      }
      await client.query('COMMIT');
      return { outcomes, written: state.written };
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  private async lookUp(client: PoolClient, batch: readonly { streamId: string; events: readonly { id: string }[] }[], head: number): Promise<BatchState> {
    const streamIds = [...new Set(batch.map((append) => append.streamId))];
    const eventIds = batch.flatMap((append) => append.events.map((event) => event.id));
    const { rows } = await client.query<LookUpRow>({ name: 'look_up', text: this.sql.lookUp, values: [streamIds, eventIds] });
    const state = new BatchState(head);
    for (const row of rows) {
      if (row.event_id === null) state.revisions.set(row.stream_id, Number(row.revision ?? 0));
      else state.stored.set(row.event_id, { streamId: row.stream_id, revision: Number(row.revision), position: Number(row.position) });
    }
    return state;
  }

  private async listen(): Promise<void> {
    const client = new (pg().Client)({ connectionString: this.options.connectionString });
    client.on('notification', ({ payload }) => {
      if (payload !== this.instanceId) this.subscriptions.notifyCommitted();
    });
    client.on('error', (error) => this.listenerLost(client, error));
    client.on('end', () => this.listenerLost(client));
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closing) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
  }

  /** The LISTEN connection is gone: report it, and listen again after a poll interval (the poll covers the gap). */
  private listenerLost(client: Client, error?: Error): void {
    if (this.listener !== client) return;
    this.listener = undefined;
    void client.end().catch(() => undefined);
    if (this.closing) return;
    this.onError(error ?? new Error(`the LISTEN connection of event store schema ${this.schema} ended`));
    this.relisten();
  }

  private relisten(): void {
    this.relistenTimer = setTimeout(() => {
      this.relistenTimer = undefined;
      if (this.closing) return;
      this.listen().then(
        // Commits made while nobody listened sent notifications nobody heard.
        () => this.subscriptions.notifyCommitted(),
        (error: unknown) => {
          if (this.closing) return;
          this.onError(error);
          this.relisten();
        },
      );
    }, this.pollIntervalMs);
  }
}

/**
 * The log as one batch sees it under the lock: the streams' revisions and the
 * stored event ids, as found and then as the batch's earlier appends left
 * them. Deciding in memory is safe because no other writer runs meanwhile.
 */
class BatchState {
  readonly revisions = new Map<string, number>();
  readonly stored = new Map<string, StoredEventRef>();
  readonly written: WrittenEvent[] = [];

  constructor(
    /** the last position taken */
    public position: number,
  ) {}

  /** The append's result, recording its events as written; throws as the port says when it must be refused. */
  apply({ streamId, expected, events }: QueuedAppend): AppendResult {
    const ids = events.map((event) => event.id);
    const retried = findRetriedAppend(streamId, ids, expected, (id) => this.stored.get(id));
    if (retried) return { nextRevision: retried.revision, lastPosition: retried.position, written: false };
    const current = this.revisions.get(streamId) ?? 0;
    if (!revisionMatches(expected, current)) throw new WrongExpectedRevisionError(streamId, expected, current);

    events.forEach((event, i) => {
      const ref = { streamId, revision: current + i + 1, position: ++this.position };
      this.stored.set(event.id, ref);
      this.written.push({ event, ...ref });
    });
    this.revisions.set(streamId, current + events.length);
    return { nextRevision: current + events.length, lastPosition: this.position, written: true };
  }
}

/** The events of one commit, parsed again for each subscription that takes them, as a read would. */
class PostgresCommit implements CommittedEvents {
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
    const dataJson: string | undefined = JSON.stringify(data ?? null);
    if (dataJson === undefined) throw new TypeError(`the data of event ${id} is not JSON`);
    return { id, type, data: dataJson, metadata: metadataJson };
  });
}

/** pg parses json columns and timestamptz (into a Date, to the millisecond, as recorded). */
function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    streamId: row.stream_id,
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    revision: Number(row.revision),
    position: Number(row.position),
    recordedAt: row.recorded_at.toISOString(),
  };
}
