import { assertValidAppend, findRetriedAppend, revisionMatches } from '../append.rules';
import {
  AppendOptions,
  AppendResult,
  EventStore,
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

/** An event as kept here: data and metadata as JSON text, as a database would keep them. */
type StoredEvent = Omit<RecordedEvent, 'data' | 'metadata'> & { data: string; metadata: string };

/**
 * The event store in memory, for tests and the embedded demo. Keeping JSON
 * text rather than objects gives it the database adapters' semantics: what is
 * not JSON fails the append, and nobody can change a stored event through a
 * reference they kept or were handed.
 */
export class InMemoryEventStore implements EventStore {
  /** the log: position p at index p - 1 */
  private readonly log: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly byId = new Map<string, StoredEvent>();
  // Every writer is in this process, so a commit always wakes the subscriptions: no polling.
  private readonly subscriptions = new SubscriptionRegistry(this);
  private closed = false;

  async append(streamId: string, events: NewEvent[], { expectedRevision }: AppendOptions): Promise<AppendResult> {
    this.assertOpen();
    assertValidAppend(streamId, events, expectedRevision);
    const ids = events.map((event) => event.id);
    const retried = findRetriedAppend(streamId, ids, expectedRevision, (id) => this.byId.get(id));
    if (retried) return { nextRevision: retried.revision, lastPosition: retried.position, written: false };

    const stream = this.streams.get(streamId) ?? [];
    if (!revisionMatches(expectedRevision, stream.length)) throw new WrongExpectedRevisionError(streamId, expectedRevision, stream.length);

    // Serialise everything before storing anything: all events or none.
    const recordedAt = new Date().toISOString();
    const stored = events.map(
      (event, i): StoredEvent => ({
        id: event.id,
        streamId,
        type: event.type,
        data: JSON.stringify(event.data ?? null),
        metadata: JSON.stringify(event.metadata ?? {}),
        revision: stream.length + i + 1,
        position: this.log.length + i + 1,
        recordedAt,
      }),
    );
    for (const event of stored) {
      this.log.push(event);
      stream.push(event);
      this.byId.set(event.id, event);
    }
    this.streams.set(streamId, stream);
    this.subscriptions.notifyCommitted({
      firstPosition: stored[0].position,
      lastPosition: stored[stored.length - 1].position,
      events: () => stored.map(toRecorded),
    });
    const last = stored[stored.length - 1];
    return { nextRevision: last.revision, lastPosition: last.position, written: true };
  }

  async readStream(streamId: string, options: { fromRevision?: number } = {}): Promise<ReadStreamResult> {
    const stream = this.streams.get(streamId) ?? [];
    const fromIndex = Math.max((options.fromRevision ?? 1) - 1, 0);
    return { revision: stream.length, events: stream.slice(fromIndex).map(toRecorded) };
  }

  async readAll({ fromPosition, limit }: ReadAllOptions): Promise<RecordedEvent[]> {
    const from = Math.max(fromPosition, 0);
    return this.log.slice(from, limit === undefined ? undefined : from + limit).map(toRecorded);
  }

  async headPosition(): Promise<number> {
    return this.log.length;
  }

  subscribe(handler: SubscriptionHandler, options: SubscribeOptions): Subscription {
    this.assertOpen();
    return this.subscriptions.subscribe(handler, options);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.subscriptions.closeAll();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the event store is closed');
  }
}

function toRecorded(event: StoredEvent): RecordedEvent {
  return { ...event, data: JSON.parse(event.data), metadata: JSON.parse(event.metadata) };
}
