import type { KurrentDBClient, Position, ReadRevision } from '@kurrent/kurrentdb-client';
import { BACKWARDS, END, kurrent, START } from './esdb.client';
import { assertValidAppend, findRetriedAppend, revisionMatches } from '../append.rules';
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
import { EventLogImport, ImportMismatchError } from '../event-log-import';
import {
  assertStorableInEsdb,
  assertValidPrefix,
  classifyEsdbError,
  clientConnectionString,
  EsdbRecord,
  esdbStreamName,
  exactStreamState,
  isAfter,
  isOwnEvent,
  ownEventsFilter,
  PositionIndex,
  portRevisionOfState,
  readRevisionFrom,
  redactedConnectionString,
  toEventData,
  toPortRevision,
  toRecordedEvent,
  translateEsdbError,
} from './esdb.mapping';
import { EsdbSubscription, SubscriptionSource } from './esdb.subscription';

/** The calls of the KurrentDB client the adapter makes (so that tests can stand in for a server). */
export interface EsdbClient {
  appendToStream: KurrentDBClient['appendToStream'];
  readStream: KurrentDBClient['readStream'];
  readAll: KurrentDBClient['readAll'];
  subscribeToAll: KurrentDBClient['subscribeToAll'];
  dispose: KurrentDBClient['dispose'];
}

export interface EsdbEventStoreOptions {
  /**
   * EVENTSTORE_URL, e.g. `kurrentdb://host:2113?tls=false` or
   * `esdb://host:2113?tls=false` (the old name, accepted). Either this or `client`.
   */
  connectionString?: string;
  /** a client made elsewhere; close() leaves it open */
  client?: EsdbClient;
  /**
   * The store's streams are `${streamPrefix}${streamId}` in EventStoreDB and
   * its log is the events of those streams: several stores (environments,
   * test runs) can share one database. Default none: every stream that is
   * not a system stream.
   */
  streamPrefix?: string;
  /** how many events one read of $all asks for; default 1000 */
  readBatchSize?: number;
  /** how long a subscription whose connection failed waits before it subscribes again; default 1000 ms */
  resubscribeDelayMs?: number;
  /** a subscription lost its connection (it subscribes again by itself); default: a process warning */
  onConnectionError?: (error: unknown) => void;
}

/** Appends that lose a race with another process are decided again at most this often before the conflict is reported. */
const MAX_APPEND_ATTEMPTS = 10;
/** How long the index waits for an event acknowledged by the server to show in $all before giving up. */
const INDEX_WAIT_MS = 5000;

interface StreamState {
  /** the port's revision of the stream, 0 when it does not exist */
  revision: number;
  records: EsdbRecord[];
}

/**
 * The event store on EventStoreDB (KurrentDB), through the gRPC client.
 *
 * Revisions are EventStoreDB's plus one (it counts from 0). Positions are
 * ordinals in the store's view of $all (its non-system events, of its
 * streams): see esdb.mapping.ts. Each process keeps the ordinal ↔ $all
 * position index in memory, 16 bytes an event, and builds it by reading $all
 * from the start on first use (a full read of the log once per process);
 * every later read, append and subscription extends it. EventStoreDB's $all
 * is one totally ordered, append-only log, so all processes agree on the
 * ordinals, and a reader can never see an event before one that precedes it.
 * The events of the store's streams must never be deleted, truncated
 * ($maxCount, $maxAge, $tb) or scavenged away: later positions would shift
 * (the index notices and fails rather than return wrong positions).
 *
 * Appends. The port's expected revision and idempotency by event id are
 * decided here, from a read of the stream (a complaint's stream is short):
 * a retry of events already stored right after the expected revision returns
 * the original result without writing; ids stored elsewhere in the stream are
 * refused; a revision mismatch is refused. Then the events go to EventStoreDB
 * with the exact expected revision read (never `any`): its optimistic check
 * refuses the append if another process wrote meanwhile (the append is then
 * decided again on a fresh read), and, since the event ids are the same, its
 * own idempotency recognises a retry that raced with its original in another
 * process. Appends to one stream made in this process run one after another.
 *
 * What differs from the port: an event id is unique within its stream, not
 * across streams. EventStoreDB keeps no index of event ids, so an id reused
 * in another stream is stored again rather than refused with
 * DuplicateEventIdError. (The system derives ids from the command, whose
 * stream is fixed, so the case does not arise.) A retry racing its original
 * in another process may report `written: true` on both sides; it is stored
 * once.
 *
 * Subscriptions are EventStoreDB catch-up subscriptions to $all with the
 * store's filter (see esdb.subscription.ts).
 */
export class EsdbEventStore implements EventStore, EventLogImport {
  private readonly client: EsdbClient;
  private readonly ownsClient: boolean;
  private readonly prefix: string;
  private readonly where: string;
  private readonly readBatchSize: number;
  private readonly index = new PositionIndex();
  /** the read of $all extending the index, and the one queued to start after it */
  private extension: Promise<void> | undefined;
  private nextExtension: Promise<void> | undefined;
  private readonly streamTails = new Map<string, Promise<unknown>>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly subscriptions = new Set<EsdbSubscription>();
  private readonly subscriptionSource: SubscriptionSource;
  private closing: Promise<void> | undefined;

  constructor(options: EsdbEventStoreOptions) {
    if ((options.client === undefined) === (options.connectionString === undefined)) {
      throw new TypeError('an EventStoreDB store needs either a connectionString or a client');
    }
    this.prefix = options.streamPrefix ?? '';
    assertValidPrefix(this.prefix);
    this.readBatchSize = options.readBatchSize ?? 1000;
    if (!(Number.isSafeInteger(this.readBatchSize) && this.readBatchSize > 0)) throw new RangeError(`readBatchSize ${this.readBatchSize} is not a positive integer`);
    const resubscribeDelayMs = options.resubscribeDelayMs ?? 1000;
    if (options.connectionString !== undefined) {
      this.client = kurrent().KurrentDBClient.connectionString(clientConnectionString(options.connectionString));
      this.ownsClient = true;
      this.where = redactedConnectionString(options.connectionString);
    } else {
      this.client = options.client!;
      this.ownsClient = false;
      this.where = 'the given client';
    }
    const onConnectionError = options.onConnectionError ?? ((error: unknown) => process.emitWarning(`EventStoreDB subscription: ${String((error as Error)?.message ?? error)}`));
    this.subscriptionSource = {
      client: this.client,
      prefix: this.prefix,
      resubscribeDelayMs,
      startAt: (fromPosition) => this.startAt(fromPosition),
      recordSeen: (after, position) => this.index.record(after, [position]),
      headPosition: () => this.headPosition(),
      connectionLost: onConnectionError,
      stopped: (subscription) => this.subscriptions.delete(subscription),
    };
  }

  /** A description for the start-up line (the password left out). */
  describe(): string {
    return `eventstoredb ${this.where}${this.prefix ? ` (streams ${this.prefix}*)` : ''}`;
  }

  async append(streamId: string, events: NewEvent[], { expectedRevision }: AppendOptions): Promise<AppendResult> {
    if (this.closing) throw new Error('the event store is closed');
    assertValidAppend(streamId, events, expectedRevision);
    assertStorableInEsdb(streamId, events);
    const data = events.map((event) => toEventData(event));
    return this.track(this.inStreamOrder(streamId, () => this.appendNow(streamId, data, expectedRevision)));
  }

  async readStream(streamId: string, options: { fromRevision?: number } = {}): Promise<ReadStreamResult> {
    const name = esdbStreamName(this.prefix, streamId);
    const records = await this.readStreamRecords(name, readRevisionFrom(options.fromRevision));
    let revision: number;
    if (records === undefined) return { revision: 0, events: [] };
    if (records.length > 0) revision = toPortRevision(records[records.length - 1].revision);
    else revision = await this.currentRevision(name);
    return { revision, events: await this.withPositions(records) };
  }

  async readAll({ fromPosition, limit }: ReadAllOptions): Promise<RecordedEvent[]> {
    if (!(Number.isSafeInteger(fromPosition) && fromPosition >= 0)) throw new RangeError(`fromPosition ${fromPosition} is not a position`);
    if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 0)) throw new RangeError(`limit ${limit} is not a count`);
    if (limit === 0) return [];
    if (fromPosition > this.index.count) {
      await this.extendIndex();
      if (fromPosition > this.index.count) return [];
    }
    const records = await this.readOwn(this.index.positionAt(fromPosition), limit);
    this.index.record(
      fromPosition,
      records.map((record) => record.position!),
    );
    return records.map((record, i) => toRecordedEvent(this.prefix, record, fromPosition + 1 + i));
  }

  async headPosition(): Promise<number> {
    await this.extendIndex();
    return this.index.count;
  }

  subscribe(handler: SubscriptionHandler, options: SubscribeOptions): Subscription {
    if (this.closing) throw new Error('the event store is closed');
    const subscription = new EsdbSubscription(this.subscriptionSource, handler, options);
    this.subscriptions.add(subscription);
    return subscription;
  }

  /**
   * Copies events of another store (npm run store:migrate). EventStoreDB sets
   * an event's `created` time itself, so the original `recordedAt` travels in
   * the metadata (key `$recordedAt`, taken out again when read). Each run of
   * consecutive events of one stream is one append with the exact expected
   * revision, so a call is not atomic as a whole: a copy interrupted between
   * two appends resumes from the target's head, which `store:migrate` checks.
   *
   * @throws ImportMismatchError when an event would not land at its own
   *   position and revision (the target holds other events, or another writer
   *   is active)
   */
  async importEvents(events: readonly RecordedEvent[]): Promise<void> {
    if (this.closing) throw new Error('the event store is closed');
    if (events.length === 0) return;
    await this.track(
      (async () => {
        let head = await this.headPosition();
        for (let i = 0; i < events.length; ) {
          let j = i + 1;
          while (j < events.length && events[j].streamId === events[i].streamId) j++;
          const run = events.slice(i, j);
          run.forEach((event, k) => {
            if (event.position !== head + 1 + k) throw new ImportMismatchError(event, `position ${head + 1 + k}`);
          });
          assertStorableInEsdb(run[0].streamId, run);
          const name = esdbStreamName(this.prefix, run[0].streamId);
          const current = await this.currentRevision(name);
          run.forEach((event, k) => {
            if (event.revision !== current + 1 + k) throw new ImportMismatchError(event, `revision ${current + 1 + k} of stream ${event.streamId}`);
          });
          const result = await this.client
            .appendToStream(
              name,
              run.map((event) => toEventData(event, event.recordedAt)),
              { streamState: exactStreamState(current) },
            )
            .catch((error: unknown) => {
              throw translateEsdbError(error, this.where);
            });
          const lastPosition = await this.ordinalOf(result.position ?? (await this.positionOfRevision(name, result.nextExpectedRevision)));
          if (lastPosition !== run[run.length - 1].position) throw new ImportMismatchError(run[run.length - 1], `position ${lastPosition}`);
          head = lastPosition;
          i = j;
        }
      })(),
    );
  }

  /** Lets the appends already made finish, stops the subscriptions, then closes the connection (when the store opened it). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
      await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
      await this.extension?.catch(() => undefined);
      await this.nextExtension?.catch(() => undefined);
      if (this.ownsClient) await this.client.dispose();
    })();
    return this.closing;
  }

  private async appendNow(streamId: string, data: ReturnType<typeof toEventData>[], expected: ExpectedRevision): Promise<AppendResult> {
    const name = esdbStreamName(this.prefix, streamId);
    const ids = data.map((event) => event.id);
    for (let attempt = 1; ; attempt++) {
      const stream = await this.readStreamState(name);
      const stored = new Map(stream.records.map((record) => [record.id, record]));
      const retried = findRetriedAppend(streamId, ids, expected, (id) => {
        const record = stored.get(id);
        return record && { streamId, revision: toPortRevision(record.revision), position: 0 };
      });
      if (retried) {
        const last = stored.get(ids[ids.length - 1])!;
        return { nextRevision: retried.revision, lastPosition: await this.ordinalOf(last.position ?? missingPosition(last)), written: false };
      }
      if (!revisionMatches(expected, stream.revision)) throw new WrongExpectedRevisionError(streamId, expected, stream.revision);
      try {
        const result = await this.client.appendToStream(name, data, { streamState: exactStreamState(stream.revision) });
        const position = result.position ?? (await this.positionOfRevision(name, result.nextExpectedRevision));
        return { nextRevision: toPortRevision(result.nextExpectedRevision), lastPosition: await this.ordinalOf(position), written: true };
      } catch (error) {
        if (classifyEsdbError(error) !== 'wrong-expected-version') throw translateEsdbError(error, this.where);
        // Another process wrote to the stream after it was read: decide again on what it holds now.
        if (attempt >= MAX_APPEND_ATTEMPTS) {
          throw new WrongExpectedRevisionError(streamId, expected, portRevisionOfState((error as { actualState: bigint | 'no_stream' }).actualState));
        }
      }
    }
  }

  /** Runs `work` after every earlier append of this process to the stream has settled. */
  private inStreamOrder<T>(streamId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.streamTails.get(streamId) ?? Promise.resolve();
    const run = previous.then(work, work);
    const tail = run.catch(() => undefined);
    this.streamTails.set(streamId, tail);
    void tail.then(() => {
      if (this.streamTails.get(streamId) === tail) this.streamTails.delete(streamId);
    });
    return run;
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    const untrack = () => this.inFlight.delete(work);
    work.then(untrack, untrack);
    return work;
  }

  /** the whole stream, or undefined when it does not exist */
  private async readStreamRecords(name: string, from: ReadRevision): Promise<EsdbRecord[] | undefined> {
    const records: EsdbRecord[] = [];
    try {
      for await (const resolved of this.client.readStream(name, { fromRevision: from })) {
        if (resolved.event) records.push(resolved.event);
      }
    } catch (error) {
      if (classifyEsdbError(error) === 'stream-not-found') return undefined;
      throw translateEsdbError(error, this.where);
    }
    return records;
  }

  private async readStreamState(name: string): Promise<StreamState> {
    const records = (await this.readStreamRecords(name, START)) ?? [];
    return { revision: records.length === 0 ? 0 : toPortRevision(records[records.length - 1].revision), records };
  }

  /** the stream's revision from its last event; 0 when it does not exist */
  private async currentRevision(name: string): Promise<number> {
    try {
      for await (const resolved of this.client.readStream(name, { direction: BACKWARDS, fromRevision: END, maxCount: 1 })) {
        if (resolved.event) return toPortRevision(resolved.event.revision);
      }
      return 0;
    } catch (error) {
      if (classifyEsdbError(error) === 'stream-not-found') return 0;
      throw translateEsdbError(error, this.where);
    }
  }

  /** the $all position of the stream's event at EventStoreDB revision `revision` (when an append result carries none) */
  private async positionOfRevision(name: string, revision: bigint): Promise<Position> {
    const records = (await this.readStreamRecords(name, revision)) ?? [];
    const record = records.find((r) => r.revision === revision);
    if (!record) throw new Error(`EventStoreDB acknowledged an append to ${name} at revision ${revision} that a read does not find`);
    return record.position ?? missingPosition(record);
  }

  private async withPositions(records: EsdbRecord[]): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    for (const record of records) {
      if (!isOwnEvent(this.prefix, record.streamId, record.type)) continue;
      events.push(toRecordedEvent(this.prefix, record, await this.ordinalOf(record.position ?? missingPosition(record))));
    }
    return events;
  }

  /** The port's position of the event at `position` in $all, extending the index up to it when needed. */
  private async ordinalOf(position: Position): Promise<number> {
    const deadline = Date.now() + INDEX_WAIT_MS;
    while (this.index.isBeyond(position)) {
      const before = this.index.count;
      await this.extendIndex();
      // An acknowledged event not yet visible to reads (a follower behind its leader): wait a little.
      if (this.index.count === before && this.index.isBeyond(position)) {
        if (Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    const ordinal = this.index.ordinalOf(position);
    if (ordinal === undefined) {
      throw new Error(`no event of this store's log is at EventStoreDB position ${position.commit}/${position.prepare} (read of $all from ${this.where})`);
    }
    return ordinal;
  }

  /**
   * Reads $all past the last indexed event up to its end, adding what it
   * finds to the index. The read starts after the call: a caller that joins
   * one already running waits for the next.
   */
  private extendIndex(): Promise<void> {
    if (!this.extension) return this.startExtension();
    this.nextExtension ??= this.extension.then(
      () => this.startQueuedExtension(),
      () => this.startQueuedExtension(),
    );
    return this.nextExtension;
  }

  private startQueuedExtension(): Promise<void> {
    this.nextExtension = undefined;
    return this.startExtension();
  }

  private startExtension(): Promise<void> {
    const extension = (async () => {
      for (;;) {
        const after = this.index.count;
        const records = await this.readOwn(this.index.last(), this.readBatchSize);
        this.index.record(
          after,
          records.map((record) => record.position!),
        );
        if (records.length < this.readBatchSize) return;
      }
    })();
    this.extension = extension;
    const clear = () => {
      if (this.extension === extension) this.extension = undefined;
    };
    extension.then(clear, clear);
    return extension;
  }

  private async startAt(fromPosition: number): Promise<{ ordinal: number; at: Position | typeof START }> {
    if (fromPosition > this.index.count) await this.extendIndex();
    const ordinal = Math.min(fromPosition, this.index.count);
    return { ordinal, at: this.index.positionAt(ordinal) };
  }

  /**
   * The store's events after `from` in $all, at most `limit` (all when
   * undefined). A read of $all from a position includes the event there, so
   * it is asked for one more and that one is dropped; the filter runs on the
   * server and {@link isOwnEvent} again here. A filtered read of $all goes on
   * through the log until it has `maxCount` matching events or reaches the
   * end, so a short answer means the end.
   */
  private async readOwn(from: Position | typeof START, limit?: number): Promise<EsdbRecord[]> {
    const own: EsdbRecord[] = [];
    let cursor = from;
    for (;;) {
      const want = Math.min(this.readBatchSize, limit === undefined ? this.readBatchSize : limit - own.length);
      const maxCount = want + 1;
      let received = 0;
      try {
        for await (const resolved of this.client.readAll({ fromPosition: cursor, maxCount, filter: ownEventsFilter(this.prefix) })) {
          received++;
          const record = resolved.event;
          if (record?.position === undefined) continue;
          if (cursor !== START && !isAfter(record.position, cursor)) continue;
          cursor = record.position;
          if (isOwnEvent(this.prefix, record.streamId, record.type)) own.push(record);
        }
      } catch (error) {
        throw translateEsdbError(error, this.where);
      }
      if (limit !== undefined && own.length >= limit) return own.slice(0, limit);
      if (received < maxCount) return own;
    }
  }
}

function missingPosition(record: EsdbRecord): never {
  throw new Error(
    `EventStoreDB gave no $all position for event ${record.id} of ${record.streamId}: stream reads carry it from server version 22.6 on, ` +
      'for events written outside explicit transactions',
  );
}
