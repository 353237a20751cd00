/**
 * The event-store port. Small on purpose: every adapter (in-memory, SQLite,
 * PostgreSQL, EventStoreDB) implements exactly this and passes one contract
 * suite.
 *
 * Revisions are per stream and count from 1: the first event of a stream has
 * revision 1 and a stream with n events is at revision n. `0` means the stream
 * does not exist (EventStoreDB counts from 0; its adapter normalises).
 * Positions are global, strictly increasing in commit order as seen by
 * readers, starting at 1.
 */

/** An event to append. `id` is a time-ordered UUIDv7 chosen by the caller, so a retried append is recognised. */
export interface NewEvent<Type extends string = string, Data = unknown> {
  id: string;
  type: Type;
  data: Data;
  metadata?: EventMetadata;
}

export interface EventMetadata {
  /** who caused it: the JWT `sub` of a person, or a system actor such as `system:scheduler` */
  actor?: string;
  /** the event's business time (ISO-8601), taken from the injected clock */
  occurredAt?: string;
  correlationId?: string;
  causationId?: string;
  [key: string]: unknown;
}

export interface RecordedEvent<Type extends string = string, Data = unknown> {
  id: string;
  streamId: string;
  type: Type;
  data: Data;
  metadata: EventMetadata;
  /** 1-based revision within its stream */
  revision: number;
  /** global position, 1-based, increasing in commit order */
  position: number;
  /** when the store recorded it (ISO-8601) */
  recordedAt: string;
}

/**
 * - a number: the stream must be at exactly that revision (0: must not exist);
 * - 'no_stream': same as 0;
 * - 'stream_exists': any revision >= 1;
 * - 'any': no check.
 */
export type ExpectedRevision = number | 'no_stream' | 'stream_exists' | 'any';

export interface AppendOptions {
  expectedRevision: ExpectedRevision;
}

export interface AppendResult {
  /** the stream's revision after the append (on an idempotent retry: right after the original append) */
  nextRevision: number;
  /** the global position of the last appended event (or of the already stored one, on an idempotent retry) */
  lastPosition: number;
  /** false when every event was already stored (an idempotent retry): nothing was written */
  written: boolean;
}

export interface ReadStreamResult {
  /** the stream's current revision; 0 when it does not exist */
  revision: number;
  events: RecordedEvent[];
}

export interface ReadAllOptions {
  /** read events with position > fromPosition (0: from the start) */
  fromPosition: number;
  /** at most this many events */
  limit?: number;
}

export type SubscriptionHandler = (event: RecordedEvent) => Promise<void> | void;

export interface SubscribeOptions {
  /** deliver events with position > fromPosition: first the stored ones (catch-up), then live ones, in position order */
  fromPosition: number;
  /** how many events one catch-up read takes */
  batchSize?: number;
  /**
   * A handler that throws stops the subscription rather than skip the event;
   * the error (or a failed read) comes here. Without onError it is thrown as
   * an uncaught exception.
   */
  onError?: (error: unknown) => void;
}

export interface Subscription {
  /** stops delivery; resolves when the handler is no longer running */
  close(): Promise<void>;
  /** resolves when every event committed before the call has been handled */
  caughtUp(): Promise<void>;
}

export interface EventStore {
  /**
   * Appends atomically: all events or none. Idempotent by event id: when the
   * events are already stored in the stream, in order, right after the
   * expected revision (even if the stream has moved on since), it writes
   * nothing and succeeds with the original result. A revision mismatch otherwise throws
   * {@link WrongExpectedRevisionError}; an event id already stored elsewhere
   * throws {@link DuplicateEventIdError}.
   */
  append(streamId: string, events: NewEvent[], options: AppendOptions): Promise<AppendResult>;
  /** every event of the stream, oldest first (`fromRevision`: events with revision >= it) */
  readStream(streamId: string, options?: { fromRevision?: number }): Promise<ReadStreamResult>;
  /** events of every stream in position order */
  readAll(options: ReadAllOptions): Promise<RecordedEvent[]>;
  /** the position of the last committed event; 0 when empty */
  headPosition(): Promise<number>;
  subscribe(handler: SubscriptionHandler, options: SubscribeOptions): Subscription;
  close(): Promise<void>;
}

/**
 * Reads the log elsewhere than on the calling thread (a store that can:
 * `SqliteEventStore.openBackgroundReader`), so that the caller's own work and
 * the next read overlap. Only committed events, in position order, as readAll.
 */
export interface BackgroundLogReader {
  readAll(options: ReadAllOptions): Promise<RecordedEvent[]>;
  /** ends the reader's thread; reads still pending are rejected */
  close(): Promise<void>;
}

export const EVENT_STORE = Symbol('EVENT_STORE');

export class WrongExpectedRevisionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: number,
  ) {
    super(`stream ${streamId} is at revision ${actual}, expected ${String(expected)}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

export class DuplicateEventIdError extends Error {
  constructor(readonly eventId: string) {
    super(`event ${eventId} is already stored in another place`);
    this.name = 'DuplicateEventIdError';
  }
}
