import { Readable } from 'node:stream';
import {
  AllStreamResolvedEvent,
  AppendResult,
  AppendStreamState,
  BACKWARDS,
  END,
  EventData,
  Filter,
  NO_STREAM,
  Position,
  ReadPosition,
  ReadRevision,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
} from '@kurrent/kurrentdb-client';
import type { EsdbClient } from '../esdb.event-store';

/**
 * An in-memory stand-in for a KurrentDB server behind the client calls the
 * adapter makes, for the tests that run without a server. It is a model of
 * the server as documented, not the server; what it models:
 *
 * - revisions from 0 per stream, `no_stream` for a missing one;
 * - $all positions as byte offsets of one transaction log: with gaps (every
 *   record takes bytes), the events of one append sharing a commit position
 *   (the first one's prepare position), system events in between (statistics
 *   and stream metadata, written every few appends);
 * - appends checked against the expected state, with EventStoreDB's
 *   idempotency: the same event ids right after the expected revision are a
 *   success that writes nothing (with `any`, only when they are found);
 * - reads of $all inclusive of their starting position, filtered on the
 *   server; catch-up subscriptions exclusive of it, then live; stream reads
 *   carrying $all positions (servers from 22.6);
 * - StreamNotFoundError, WrongExpectedVersionError and UnavailableError as the
 *   client throws them.
 *
 * Every call yields to the event loop first, as a network call would.
 */
export class EsdbEmulator {
  /** the transaction log: every record of every stream, in $all order */
  readonly log: StoredRecord[] = [];
  private readonly streams = new Map<string, StoredRecord[]>();
  private end = 1024n;
  private appends = 0;
  private readonly subscriptions = new Set<EmulatedSubscription>();
  /** every append the adapter sent: stream and expected state */
  readonly appendCalls: { streamName: string; streamState: AppendStreamState }[] = [];
  /** when set, every call fails as the client fails with the server down */
  down = false;

  constructor(private readonly options: { systemEventEvery?: number } = {}) {}

  /** A client whose calls land here (close() of a store leaves it as it is). */
  client(): EsdbClient {
    const client = {
      appendToStream: (streamName: string, events: EventData | EventData[], options: { streamState?: AppendStreamState } = {}) =>
        this.appendToStream(streamName, Array.isArray(events) ? events : [events], options.streamState ?? 'any'),
      readStream: (streamName: string, options: StreamReadOptions = {}) => this.readStream(streamName, options),
      readAll: (options: AllReadOptions = {}) => this.readAll(options),
      subscribeToAll: (options: { fromPosition?: ReadPosition; filter?: Filter } = {}) => this.subscribeToAll(options),
      dispose: async () => undefined,
    };
    return client as unknown as EsdbClient;
  }

  /** Every subscription's connection fails now (the client emits the error on the stream). */
  dropSubscriptions(): void {
    for (const subscription of [...this.subscriptions]) subscription.fail(unavailable());
  }

  /** What a scavenge does after a stream was deleted: its events leave the log, and later positions shift. */
  scavengeStream(streamName: string): void {
    for (let i = this.log.length - 1; i >= 0; i--) if (this.log[i].streamId === streamName) this.log.splice(i, 1);
    this.streams.delete(streamName);
  }

  private async appendToStream(streamName: string, events: EventData[], streamState: AppendStreamState): Promise<AppendResult> {
    await this.turn();
    this.appendCalls.push({ streamName, streamState });
    const stream = this.streams.get(streamName) ?? [];
    const current = stream.length === 0 ? NO_STREAM : BigInt(stream.length - 1);
    const ids = events.map((event) => event.id);
    const storedFrom = (start: number) =>
      start >= 0 && stream.length >= start + ids.length && ids.every((id, i) => stream[start + i].id === id) ? stream[start + ids.length - 1] : undefined;
    const idempotent = (last: StoredRecord): AppendResult => ({
      success: true,
      nextExpectedRevision: last.revision,
      position: { commit: last.commit, prepare: last.prepare },
    });
    const refuse = () => {
      throw new WrongExpectedVersionError(undefined, { streamName, expected: streamState, current });
    };

    if (streamState === NO_STREAM) {
      if (stream.length > 0) {
        const retried = storedFrom(0);
        return retried ? idempotent(retried) : refuse();
      }
    } else if (typeof streamState === 'bigint') {
      if (current !== streamState) {
        const retried = typeof current === 'bigint' && current > streamState ? storedFrom(Number(streamState) + 1) : undefined;
        return retried ? idempotent(retried) : refuse();
      }
    } else {
      if (streamState === STREAM_EXISTS && stream.length === 0) refuse();
      // `any` and `stream_exists`: recognised only when the first id is found (the server's best effort)
      const first = stream.findIndex((record) => record.id === ids[0]);
      const retried = first === -1 ? undefined : storedFrom(first);
      if (retried) return idempotent(retried);
    }

    if (this.options.systemEventEvery && this.appends++ % this.options.systemEventEvery === 0) this.writeSystemEvent();
    const commit = this.end;
    const written = events.map((event) => {
      const data = Buffer.from(event.contentType === 'application/json' ? JSON.stringify(event.data) : Buffer.from(event.data as Uint8Array));
      const metadata = event.metadata === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(event.metadata));
      const record: StoredRecord = {
        streamId: streamName,
        id: event.id,
        revision: BigInt(stream.length),
        type: event.type,
        data,
        metadata,
        isJson: event.contentType === 'application/json',
        created: new Date(),
        commit,
        prepare: this.end,
      };
      this.end += 128n + BigInt(data.length + metadata.length);
      stream.push(record);
      this.log.push(record);
      return record;
    });
    this.streams.set(streamName, stream);
    for (const subscription of this.subscriptions) subscription.wake();
    const last = written[written.length - 1];
    return { success: true, nextExpectedRevision: last.revision, position: { commit: last.commit, prepare: last.prepare } };
  }

  private writeSystemEvent(): void {
    const record: StoredRecord = {
      streamId: '$stats-127.0.0.1:2113',
      id: '00000000-0000-4000-8000-' + String(this.log.length).padStart(12, '0'),
      revision: 0n,
      type: '$statsCollected',
      data: Buffer.from('{"proc-cpu":1}'),
      metadata: Buffer.alloc(0),
      isJson: true,
      created: new Date(),
      commit: this.end,
      prepare: this.end,
    };
    this.end += 300n;
    this.log.push(record);
  }

  private async *readStream(streamName: string, { fromRevision = START, direction, maxCount }: StreamReadOptions): AsyncGenerator<AllStreamResolvedEvent> {
    await this.turn();
    const stream = this.streams.get(streamName);
    if (!stream) throw new StreamNotFoundError(undefined, streamName);
    let records: StoredRecord[];
    if (direction === BACKWARDS) {
      const from = fromRevision === END || fromRevision === START ? stream.length - 1 : Number(fromRevision);
      records = stream.slice(0, from + 1).reverse();
    } else {
      records = fromRevision === START ? stream.slice() : fromRevision === END ? [] : stream.slice(Number(fromRevision));
    }
    for (const record of records.slice(0, Number(maxCount ?? Number.MAX_SAFE_INTEGER))) yield { event: toClientRecord(record) };
  }

  private async *readAll({ fromPosition = START, maxCount, filter, direction }: AllReadOptions): AsyncGenerator<AllStreamResolvedEvent> {
    await this.turn();
    if (direction === BACKWARDS) throw new Error('the emulator reads $all forwards only');
    const max = Number(maxCount ?? Number.MAX_SAFE_INTEGER);
    let count = 0;
    for (const record of this.log) {
      if (count >= max) return;
      if (fromPosition === END) return;
      if (fromPosition !== START && compare(record, fromPosition) < 0) continue;
      if (!passes(filter, record)) continue;
      count++;
      yield { event: toClientRecord(record), commitPosition: record.commit };
    }
  }

  private subscribeToAll({ fromPosition = START, filter }: { fromPosition?: ReadPosition; filter?: Filter }): EmulatedSubscription {
    const subscription = new EmulatedSubscription(this, fromPosition, filter, () => this.subscriptions.delete(subscription));
    this.subscriptions.add(subscription);
    if (this.down) queueMicrotask(() => subscription.fail(unavailable()));
    return subscription;
  }

  /** the records after `from` (exclusive) that pass the filter */
  recordsAfter(from: ReadPosition, filter: Filter | undefined): StoredRecord[] {
    return this.log.filter((record) => (from === START || (from !== END && compare(record, from) > 0)) && passes(filter, record));
  }

  private async turn(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    if (this.down) throw unavailable();
  }
}

export interface StoredRecord {
  streamId: string;
  id: string;
  revision: bigint;
  type: string;
  data: Buffer;
  metadata: Buffer;
  isJson: boolean;
  created: Date;
  commit: bigint;
  prepare: bigint;
}

interface StreamReadOptions {
  fromRevision?: ReadRevision;
  direction?: string;
  maxCount?: number | bigint;
}

interface AllReadOptions {
  fromPosition?: ReadPosition;
  maxCount?: number | bigint;
  filter?: Filter;
  direction?: string;
}

/** A catch-up subscription to $all: the stored records after the position, then live ones; exclusive of the position. */
class EmulatedSubscription extends Readable {
  private cursor: ReadPosition;
  private wanted = false;

  constructor(
    private readonly emulator: EsdbEmulator,
    from: ReadPosition,
    private readonly allFilter: Filter | undefined,
    private readonly onEnd: () => void,
  ) {
    super({ objectMode: true, highWaterMark: 16 });
    this.cursor = from === END ? positionOf(emulator.log[emulator.log.length - 1]) : from;
  }

  async unsubscribe(): Promise<void> {
    this.onEnd();
    this.push(null);
  }

  wake(): void {
    if (this.wanted) this._read();
  }

  fail(error: Error): void {
    this.onEnd();
    this.destroy(error);
  }

  override _read(): void {
    this.wanted = true;
    setImmediate(() => {
      if (this.destroyed || !this.wanted) return;
      for (const record of this.emulator.recordsAfter(this.cursor, this.allFilter)) {
        this.cursor = positionOf(record);
        if (!this.push({ event: toClientRecord(record), commitPosition: record.commit })) {
          this.wanted = false;
          return;
        }
      }
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.onEnd();
    callback(error);
  }
}

function positionOf(record: StoredRecord | undefined): ReadPosition {
  return record ? { commit: record.commit, prepare: record.prepare } : START;
}

function compare(record: StoredRecord, position: Position): number {
  if (record.commit !== position.commit) return record.commit < position.commit ? -1 : 1;
  if (record.prepare !== position.prepare) return record.prepare < position.prepare ? -1 : 1;
  return 0;
}

/** The server's filters, as `excludeSystemEvents()`, `streamNameFilter()` and `eventTypeFilter()` build them. */
function passes(filter: Filter | undefined, record: StoredRecord): boolean {
  if (!filter) return true;
  const subject = filter.filterOn === 'streamName' ? record.streamId : record.type;
  if ('prefixes' in filter) return filter.prefixes.some((prefix) => subject.startsWith(prefix));
  return new RegExp(filter.regex).test(subject);
}

function toClientRecord(record: StoredRecord) {
  return {
    streamId: record.streamId,
    id: record.id,
    revision: record.revision,
    type: record.type,
    data: record.isJson ? JSON.parse(record.data.toString('utf8')) : new Uint8Array(record.data),
    metadata: record.metadata.length === 0 ? undefined : JSON.parse(record.metadata.toString('utf8')),
    isJson: record.isJson,
    created: record.created,
    position: { commit: record.commit, prepare: record.prepare },
  } as AllStreamResolvedEvent['event'] & object;
}

function unavailable(): UnavailableError {
  return new UnavailableError(undefined, 'the emulated server is down');
}
