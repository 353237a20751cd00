import { EventStore, RecordedEvent } from './event-store.port';

/**
 * What `npm run store:migrate` needs of a target store, beside the port: to
 * write an event as another store recorded it, its recorded time included.
 *
 * Not in the port on purpose. Everything the command path appends gets the
 * time its store recorded it; only a copy of a whole log may carry an older
 * one, and only into a store that holds a prefix of that same log. So this is
 * a method of its own on the adapters that can be a migration's target
 * (SQLite, PostgreSQL, EventStoreDB), with rules stricter than append():
 * every event must land at its own position and its own revision, so that the
 * copy is the same log, position by position, and the read models rebuilt
 * from it are the same.
 */
export interface EventLogImport {
  /**
   * Appends `events` (read from another store, in position order) keeping
   * their stream ids, revisions, ids, types, data, metadata and recorded
   * times. The first must be at the target's head position + 1 and each
   * event at its stream's revision + 1.
   *
   * @throws ImportMismatchError when an event would land anywhere else
   *   (the target holds other events): nothing of the call is written by
   *   the SQL adapters, which import a call in one transaction.
   */
  importEvents(events: readonly RecordedEvent[]): Promise<void>;
}

export function canImport(store: EventStore): store is EventStore & EventLogImport {
  return typeof (store as Partial<EventLogImport>).importEvents === 'function';
}

/** An imported event would not land at its own position or revision. */
export class ImportMismatchError extends Error {
  constructor(
    readonly event: RecordedEvent,
    readonly wouldLandAt: string,
  ) {
    super(
      `event ${event.id} (position ${event.position}, revision ${event.revision} of ${event.streamId}) would land at ${wouldLandAt}: ` +
        'the target does not hold the same log up to it',
    );
    this.name = 'ImportMismatchError';
  }
}
