import type { AppendStreamState, CurrentStreamState, Filter, JSONEventData, Position, ReadRevision } from '@kurrent/kurrentdb-client';
import { kurrent, NO_STREAM, START } from './esdb.client';
import { EventMetadata, NewEvent, RecordedEvent } from '../event-store.port';

/**
 * What the EventStoreDB adapter translates, as pure functions: revisions,
 * positions, the filter that defines the store's log, events in and out,
 * errors. Unit-tested without a server.
 *
 * Revisions. EventStoreDB numbers a stream's events from 0 and calls a
 * missing stream `no_stream`; the port numbers them from 1 and calls a
 * missing stream 0. So port revision = EventStoreDB revision + 1 everywhere.
 *
 * Positions. EventStoreDB's $all position is a pair of byte offsets in its
 * transaction log (commit, prepare): increasing in $all order, but with gaps
 * (every record takes many bytes, and system events sit between ours). The
 * port's positions are gap-free from 1. The adapter's position of an event is
 * therefore its ordinal in the store's own view of $all: the n-th event of
 * $all that passes {@link isOwnEvent} has position n. $all never changes
 * order and is append-only, so every process computes the same ordinal for
 * the same event; {@link PositionIndex} keeps the mapping.
 */

/** Metadata key under which an imported event keeps the time its first store recorded it (EventStoreDB sets `created` itself). */
export const RECORDED_AT_KEY = '$recordedAt';

/** The event's revision in the port: EventStoreDB's + 1. */
export function toPortRevision(esdbRevision: bigint): number {
  return toSafeNumber(esdbRevision, 'revision') + 1;
}

/** The stream's current revision in the port, from EventStoreDB's current state (`no_stream`: 0). */
export function portRevisionOfState(state: CurrentStreamState | AppendStreamState): number {
  if (typeof state === 'bigint') return toPortRevision(state);
  if (state === NO_STREAM) return 0;
  throw new RangeError(`${String(state)} is not the state of a stream`);
}

/**
 * The exact expected state of an append made at the port's revision `current`:
 * never `any` or `stream_exists`, so EventStoreDB both checks concurrency and
 * recognises a retry of the same event ids (its idempotency is only
 * guaranteed with an exact expected revision).
 */
export function exactStreamState(current: number): AppendStreamState {
  if (!(Number.isSafeInteger(current) && current >= 0)) throw new RangeError(`${current} is not a stream revision`);
  return current === 0 ? NO_STREAM : BigInt(current - 1);
}

/** Where a forward read of a stream starts for the port's `fromRevision` (1 and below: the start). */
export function readRevisionFrom(fromRevision: number | undefined): ReadRevision {
  return fromRevision === undefined || fromRevision <= 1 ? START : BigInt(Math.floor(fromRevision) - 1);
}

/** bigint offsets and revisions as numbers: exact below 2^53 (a transaction log of 9 PB). */
export function toSafeNumber(value: bigint, what: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`EventStoreDB ${what} ${value} is not a safe non-negative integer`);
  return n;
}

/**
 * The store's log: the events of its streams (those starting with its prefix,
 * when it has one) that are not system events. Stream names and event types
 * starting with `$` are EventStoreDB's own (metadata, links, statistics,
 * projection state).
 */
export function isOwnEvent(prefix: string, streamName: string, type: string): boolean {
  return streamName.startsWith(prefix) && !streamName.startsWith('$') && !type.startsWith('$');
}

/**
 * The server-side filter of every read of $all and of the subscription: the
 * prefix when there is one, otherwise EventStoreDB's own filter of system
 * events. {@link isOwnEvent} applies on top of it (a `$` stream may hold an
 * event whose type does not start with `$`), so both paths agree.
 */
export function ownEventsFilter(prefix: string): Filter {
  return prefix === '' ? kurrent().excludeSystemEvents() : kurrent().streamNameFilter({ prefixes: [prefix] });
}

/** The stream name in EventStoreDB of the port's stream id. */
export function esdbStreamName(prefix: string, streamId: string): string {
  return `${prefix}${streamId}`;
}

/** The port's stream id of a stream name of this store. */
export function portStreamId(prefix: string, streamName: string): string {
  if (!streamName.startsWith(prefix)) throw new RangeError(`stream ${streamName} is not one of this store (prefix ${prefix})`);
  return streamName.slice(prefix.length);
}

/** A stream prefix must keep the store's streams out of EventStoreDB's system streams. */
export function assertValidPrefix(prefix: string): void {
  if (prefix.startsWith('$')) throw new RangeError(`stream prefix ${JSON.stringify(prefix)} must not start with $ (system streams)`);
}

/** What this adapter refuses beyond the shared append rules: names that EventStoreDB reserves for its own events. */
export function assertStorableInEsdb(streamId: string, events: readonly NewEvent[]): void {
  if (streamId.startsWith('$')) throw new TypeError(`stream id ${streamId} starts with $: EventStoreDB keeps those for its system streams`);
  for (const event of events) {
    if (event.type.startsWith('$')) throw new TypeError(`event type ${event.type} starts with $: EventStoreDB keeps those for system events`);
    if (event.metadata !== undefined && Object.prototype.hasOwnProperty.call(event.metadata, RECORDED_AT_KEY)) {
      throw new TypeError(`metadata key ${RECORDED_AT_KEY} of event ${event.id} is kept for imported events`);
    }
  }
}

/**
 * The event as sent: its data and metadata as JSON. They are copied through
 * JSON at the call, so data that is not JSON fails here, before anything is
 * sent, and the caller may reuse its objects while the append waits.
 * `recordedAt` (imports only) goes into the metadata.
 */
export function toEventData(event: NewEvent, recordedAt?: string): JSONEventData {
  const dataJson: string | undefined = JSON.stringify(event.data ?? null);
  if (dataJson === undefined) throw new TypeError(`the data of event ${event.id} is not JSON`);
  const metadata: Record<string, unknown> = JSON.parse(JSON.stringify(event.metadata ?? {}));
  if (recordedAt !== undefined) metadata[RECORDED_AT_KEY] = recordedAt;
  return {
    // EventStoreDB gives ids back in lower case; so does the port, whatever case they came in.
    id: event.id.toLowerCase(),
    contentType: 'application/json',
    type: event.type,
    // the client's JSONType says object, array or string; any JSON value is stored as sent
    data: JSON.parse(dataJson),
    metadata,
  } as JSONEventData;
}

/** The fields of an EventStoreDB record the adapter reads (the client's RecordedEvent has more). */
export interface EsdbRecord {
  streamId: string;
  id: string;
  revision: bigint;
  type: string;
  data: unknown;
  metadata?: unknown;
  isJson: boolean;
  created: Date;
  position?: Position;
}

/** A record of this store as the port's event at `position`. */
export function toRecordedEvent(prefix: string, record: EsdbRecord, position: number): RecordedEvent {
  const metadata = parseMetadata(record);
  const imported = metadata[RECORDED_AT_KEY];
  delete metadata[RECORDED_AT_KEY];
  return {
    id: record.id,
    streamId: portStreamId(prefix, record.streamId),
    type: record.type,
    data: record.isJson ? record.data : parseJsonBytes(record.data, `the data of event ${record.id}`),
    metadata,
    revision: toPortRevision(record.revision),
    position,
    recordedAt: typeof imported === 'string' ? imported : record.created.toISOString(),
  };
}

function parseMetadata(record: EsdbRecord): EventMetadata {
  const { metadata } = record;
  if (metadata === undefined || metadata === null) return {};
  const parsed = metadata instanceof Uint8Array ? parseJsonBytes(metadata, `the metadata of event ${record.id}`) : metadata;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new TypeError(`the metadata of event ${record.id} is not a JSON object`);
  }
  return { ...(parsed as EventMetadata) };
}

function parseJsonBytes(bytes: unknown, what: string): unknown {
  if (!(bytes instanceof Uint8Array)) return bytes;
  if (bytes.length === 0) return {};
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new TypeError(`${what} is not JSON`);
  }
}

/** True when `a` comes after `b` in $all. Records of one append share a commit position, so prepare decides within it. */
export function isAfter(a: Position, b: Position): boolean {
  return a.commit > b.commit || (a.commit === b.commit && a.prepare > b.prepare);
}

/**
 * The ordinal ↔ $all position mapping of one store, in memory: the position
 * of the n-th event of the store's log at n - 1. Filled in log order by every
 * read of $all the adapter makes (and by its subscriptions), so that it always
 * covers a prefix of the log; 16 bytes an event.
 *
 * Lookups by position match the prepare position, which is unique to an
 * event record and increases along $all for every event written outside an
 * explicit (legacy TCP) transaction: the records of one append are written
 * together, by the one writer.
 */
export class PositionIndex {
  private commits = new Float64Array(1024);
  private prepares = new Float64Array(1024);
  private size = 0;

  /** how many events of the log are indexed: ordinals 1..count */
  get count(): number {
    return this.size;
  }

  /** the $all position of the event at `ordinal` (1..count), START for 0 */
  positionAt(ordinal: number): Position | typeof START {
    if (ordinal === 0) return START;
    if (!(Number.isSafeInteger(ordinal) && ordinal > 0 && ordinal <= this.size)) throw new RangeError(`position ${ordinal} is not indexed (1..${this.size})`);
    return { commit: BigInt(this.commits[ordinal - 1]), prepare: BigInt(this.prepares[ordinal - 1]) };
  }

  /** the position of the last indexed event, START when none */
  last(): Position | typeof START {
    return this.positionAt(this.size);
  }

  /** the ordinal of the event recorded at `position`, undefined when it is not indexed (yet) */
  ordinalOf(position: Position): number | undefined {
    const prepare = toSafeNumber(position.prepare, 'prepare position');
    let low = 0;
    let high = this.size - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const at = this.prepares[mid];
      if (at === prepare) return mid + 1;
      if (at < prepare) low = mid + 1;
      else high = mid - 1;
    }
    return undefined;
  }

  /** true when `position` is past the last indexed event */
  isBeyond(position: Position): boolean {
    return this.size === 0 || toSafeNumber(position.prepare, 'prepare position') > this.prepares[this.size - 1];
  }

  /**
   * Takes the positions of consecutive events of the log that follow the
   * event at ordinal `after` (0: the start): those past the end are added,
   * those already indexed are checked. A read that started before the end
   * and goes past it thus extends the index; one that does not reach the end
   * leaves it as it was.
   *
   * @throws PositionIndexMismatchError when a known ordinal is found at
   *   another position: the log is not what it was (events deleted,
   *   truncated or scavenged away), so positions would shift.
   */
  record(after: number, positions: readonly Position[]): void {
    if (after > this.size) return; // not contiguous with what is known: nothing to learn
    for (let i = 0; i < positions.length; i++) {
      const ordinal = after + 1 + i;
      const commit = toSafeNumber(positions[i].commit, 'commit position');
      const prepare = toSafeNumber(positions[i].prepare, 'prepare position');
      if (ordinal <= this.size) {
        if (this.prepares[ordinal - 1] !== prepare) throw new PositionIndexMismatchError(ordinal, this.prepares[ordinal - 1], prepare);
        continue;
      }
      if (this.size > 0 && prepare <= this.prepares[this.size - 1]) throw new PositionIndexMismatchError(ordinal, this.prepares[this.size - 1], prepare);
      this.push(commit, prepare);
    }
  }

  private push(commit: number, prepare: number): void {
    if (this.size === this.prepares.length) {
      const grow = (from: Float64Array) => {
        const to = new Float64Array(from.length * 2);
        to.set(from);
        return to;
      };
      this.commits = grow(this.commits);
      this.prepares = grow(this.prepares);
    }
    this.commits[this.size] = commit;
    this.prepares[this.size] = prepare;
    this.size++;
  }
}

export class PositionIndexMismatchError extends Error {
  constructor(
    readonly ordinal: number,
    readonly indexedPrepare: number,
    readonly foundPrepare: number,
  ) {
    super(
      `the EventStoreDB log changed under this store: position ${ordinal} was at prepare position ${indexedPrepare}, ` +
        `now ${foundPrepare}. Were events of its streams deleted, truncated or scavenged?`,
    );
    this.name = 'PositionIndexMismatchError';
  }
}

/** `esdb://` and `esdb+discover://` are the old names of `kurrentdb://`; the client warns on them at every connection, so they are renamed here. */
export function clientConnectionString(url: string): string {
  return url.replace(/^esdb(\+discover)?:\/\//i, (_, discover: string | undefined) => `kurrentdb${discover ?? ''}://`);
}

/** The connection string without its password, for messages. */
export function redactedConnectionString(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

/** What failing calls are: the client's CommandError `type`, or a gRPC status code on a raw error. */
export type EsdbFailure = 'wrong-expected-version' | 'stream-not-found' | 'unavailable' | 'other';

const UNAVAILABLE_TYPES = new Set(['unavailable', 'deadline-exceeded', 'timeout', 'not-leader', 'cancelled']);
/** gRPC UNAVAILABLE, DEADLINE_EXCEEDED, and CANCELLED by the server */
const UNAVAILABLE_CODES = new Set([1, 4, 14]);

/**
 * Classifies an error of the client. By its `type` string rather than
 * `instanceof`: under a module registry (Jest) the client's classes may be
 * loaded twice.
 */
export function classifyEsdbError(error: unknown): EsdbFailure {
  if (typeof error !== 'object' || error === null) return 'other';
  const { type, code } = error as { type?: unknown; code?: unknown };
  if (type === 'wrong-expected-version') return 'wrong-expected-version';
  if (type === 'stream-not-found') return 'stream-not-found';
  if (typeof type === 'string' && UNAVAILABLE_TYPES.has(type)) return 'unavailable';
  if (typeof type !== 'string' && typeof code === 'number' && UNAVAILABLE_CODES.has(code)) return 'unavailable';
  return 'other';
}

/** EventStoreDB did not answer (down, unreachable, no leader, timed out). */
export class EventStoreUnavailableError extends Error {
  constructor(where: string, cause: unknown) {
    super(`EventStoreDB at ${where} did not answer: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'EventStoreUnavailableError';
  }
}

/** The error a caller of the port sees: unavailability named as such, everything else as the client threw it. */
export function translateEsdbError(error: unknown, where: string): unknown {
  return classifyEsdbError(error) === 'unavailable' ? new EventStoreUnavailableError(where, error) : error;
}
