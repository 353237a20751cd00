import { validate as isUuid } from 'uuid';
import { DuplicateEventIdError, ExpectedRevision, NewEvent } from './event-store.port';

/**
 * The append rules every adapter shares, so they cannot drift apart: what a
 * valid append is, when an expected revision holds, and when an append is a
 * retry of one already stored.
 */

/** Where an event id is already stored. */
export interface StoredEventRef {
  streamId: string;
  revision: number;
  position: number;
}

/** Rejects what no adapter may store, before anything is queued or written. */
export function assertValidAppend(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): void {
  if (typeof streamId !== 'string' || streamId.length === 0) throw new TypeError('a stream id must be a non-empty string');
  if (events.length === 0) throw new RangeError(`an append to ${streamId} needs at least one event`);
  const validExpected =
    typeof expected === 'number' ? Number.isSafeInteger(expected) && expected >= 0 : ['no_stream', 'stream_exists', 'any'].includes(expected);
  if (!validExpected) throw new RangeError(`${String(expected)} is not an expected revision`);
  const ids = new Set<string>();
  for (const event of events) {
    // UUIDs everywhere, so the same events can move to an adapter that demands them (EventStoreDB).
    if (!isUuid(event.id)) throw new TypeError(`event id ${String(event.id)} is not a UUID`);
    if (typeof event.type !== 'string' || event.type.length === 0) throw new TypeError(`event ${event.id} has no type`);
    if (ids.has(event.id)) throw new DuplicateEventIdError(event.id);
    ids.add(event.id);
  }
}

export function revisionMatches(expected: ExpectedRevision, actual: number): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return actual === 0;
    case 'stream_exists':
      return actual > 0;
    default:
      return actual === expected;
  }
}

/**
 * Recognises a retried append: all its events are already stored in this
 * stream, in this order, right after a revision the expectation allows (the
 * stream may have moved on since). Returns where the last of them is, or
 * undefined when none of the ids is stored. Anything in between (some
 * stored, or stored elsewhere) is a different append reusing ids, and throws.
 */
export function findRetriedAppend(
  streamId: string,
  eventIds: readonly string[],
  expected: ExpectedRevision,
  findStored: (eventId: string) => StoredEventRef | undefined,
): StoredEventRef | undefined {
  const stored = eventIds.map(findStored);
  const firstStored = stored.findIndex((ref) => ref !== undefined);
  if (firstStored === -1) return undefined;
  const first = stored[0];
  const isRetry =
    first !== undefined &&
    revisionMatches(expected, first.revision - 1) &&
    stored.every((ref, i) => ref !== undefined && ref.streamId === streamId && ref.revision === first.revision + i);
  if (!isRetry) throw new DuplicateEventIdError(eventIds[firstStored]);
  return stored[stored.length - 1];
}
