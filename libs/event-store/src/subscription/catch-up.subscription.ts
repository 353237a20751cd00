import { EventStore, RecordedEvent, SubscribeOptions, Subscription, SubscriptionHandler } from '../event-store.port';

/** What a subscription reads: the adapter's own committed log. */
export type EventLog = Pick<EventStore, 'readAll' | 'headPosition'>;

/**
 * One commit made in this process, handed to the subscriptions right after it
 * returned. Its positions are first..last and it holds every event of the log
 * in that range (the writer held the write lock throughout), so a
 * subscription that has everything up to `firstPosition - 1` can take it
 * instead of reading it back.
 */
export interface CommittedEvents {
  readonly firstPosition: number;
  readonly lastPosition: number;
  /** the commit's events in position order, as objects of the caller's own (as a read would return them) */
  events(): RecordedEvent[];
}

const DEFAULT_BATCH_SIZE = 500;
/** the most events handed over by commits that wait for a slow handler; beyond it the subscription reads them later */
const LIVE_LIMIT = 2000;

/**
 * Delivers the log from a position: catch-up reads in batches, then sleeps
 * until a commit in this process wakes it, or a poll comes round (for commits
 * made by other processes). A single loop does everything, so the handler
 * runs for one event at a time, in position order, and the loop moves past an
 * event only once its handler has returned: nothing is skipped or repeated.
 *
 * A commit of this process that directly follows what the subscription has
 * already fetched is taken as handed over, without reading it back; any other
 * commit (a gap, one made by another process, a slow handler) makes it read.
 *
 * A handler that throws stops the subscription (skipping the event would lose
 * it). The error goes to `onError`; without one it is thrown as an uncaught
 * exception, because a projection that silently stopped is worse than a crash.
 * close() waits for the running handler, so a handler must not await the
 * close() of its own subscription.
 */
export class CatchUpSubscription implements Subscription {
  /** the last event handled */
  private position: number;
  /** every event up to here has been fetched (read, or handed over) and is handled, in hand, or in `live` */
  private fetched: number;
  /** events handed over by commits, following `fetched` without a gap */
  private live: RecordedEvent[] = [];
  private readonly batchSize: number;
  private closed = false;
  private failure: { error: unknown } | undefined;
  /** set when the log may hold events past `fetched` that were not handed over: the loop reads before it sleeps */
  private readRequested = true;
  private endSleep: (() => void) | undefined;
  private readonly waiters: { position: number; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private readonly stopped: Promise<void>;

  constructor(
    private readonly log: EventLog,
    private readonly handler: SubscriptionHandler,
    private readonly options: SubscribeOptions,
    /** undefined: woken only by wake(), enough when every writer is in this process */
    private readonly pollIntervalMs: number | undefined,
    private readonly onStopped: () => void,
  ) {
    this.position = options.fromPosition;
    this.fetched = options.fromPosition;
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!(Number.isSafeInteger(this.batchSize) && this.batchSize > 0)) throw new RangeError(`batchSize ${this.batchSize} is not a positive integer`);
    this.stopped = this.run();
  }

  /**
   * Called after each commit in this process: takes its events when they
   * follow what was fetched, otherwise reads the log. Without `commit`: reads.
   */
  wake(commit?: CommittedEvents): void {
    if (this.closed) return;
    if (commit === undefined) {
      this.readRequested = true;
    } else {
      const upTo = this.fetchedOrQueued();
      if (commit.lastPosition <= upTo) return;
      if (commit.firstPosition === upTo + 1 && this.live.length + (commit.lastPosition - upTo) <= LIVE_LIMIT) {
        for (const event of commit.events()) this.live.push(event);
      } else {
        // Events this process did not hand over come first (or too many wait already): read them.
        // No later commit can follow `upTo` directly now, so `live` stays as it is, without a gap.
        this.readRequested = true;
      }
    }
    this.endSleep?.();
  }

  async caughtUp(): Promise<void> {
    const target = await this.log.headPosition();
    if (this.position >= target) return;
    if (this.failure) throw this.failure.error;
    if (this.closed) throw new Error('the subscription was closed before it caught up');
    return new Promise((resolve, reject) => {
      this.waiters.push({ position: target, resolve, reject });
      // Read now rather than at the next poll: the target may come from another process.
      if (target > this.fetchedOrQueued()) this.wake();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.endSleep?.();
    await this.stopped;
  }

  private fetchedOrQueued(): number {
    return this.live.length > 0 ? this.live[this.live.length - 1].position : this.fetched;
  }

  private async run(): Promise<void> {
    try {
      while (!this.closed) {
        let events: RecordedEvent[];
        if (this.live.length > 0) {
          events = this.live;
          this.live = [];
        } else if (this.readRequested) {
          this.readRequested = false;
          events = await this.log.readAll({ fromPosition: this.position, limit: this.batchSize });
          // A full batch means there is probably more: read on without sleeping.
          if (events.length === this.batchSize) this.readRequested = true;
          // Commits handed over while an asynchronous read ran may overlap it.
          if (events.length > 0 && this.live.length > 0) {
            const lastRead = events[events.length - 1].position;
            this.live = this.live.filter((event) => event.position > lastRead);
          }
        } else {
          await this.sleep();
          continue;
        }
        if (events.length > 0) this.fetched = Math.max(this.fetched, events[events.length - 1].position);
        for (const event of events) {
          if (this.closed) return;
          await this.handler(event);
          this.position = event.position;
          this.resolveReachedWaiters();
        }
      }
    } catch (error) {
      this.failure = { error };
      const report = this.options.onError ?? rethrow;
      queueMicrotask(() => report(error));
    } finally {
      this.closed = true;
      this.live = [];
      const reason = this.failure ? this.failure.error : new Error('the subscription was closed before it caught up');
      for (const waiter of this.waiters.splice(0)) waiter.reject(reason);
      this.onStopped();
    }
  }

  private resolveReachedWaiters(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i].position <= this.position) this.waiters.splice(i, 1)[0].resolve();
    }
  }

  /** until a commit, a read request, close() or the poll */
  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const timer =
        this.pollIntervalMs === undefined
          ? undefined
          : setTimeout(() => {
              this.readRequested = true;
              this.endSleep?.();
            }, this.pollIntervalMs);
      this.endSleep = () => {
        clearTimeout(timer);
        this.endSleep = undefined;
        resolve();
      };
    });
  }
}

function rethrow(error: unknown): never {
  throw error;
}

/** The open subscriptions of one store: woken after each of its commits, closed with it. */
export class SubscriptionRegistry {
  private readonly open = new Set<CatchUpSubscription>();

  constructor(
    private readonly log: EventLog,
    private readonly pollIntervalMs?: number,
  ) {}

  subscribe(handler: SubscriptionHandler, options: SubscribeOptions): Subscription {
    const subscription: CatchUpSubscription = new CatchUpSubscription(this.log, handler, options, this.pollIntervalMs, () =>
      this.open.delete(subscription),
    );
    this.open.add(subscription);
    return subscription;
  }

  /** after a commit in this process; `commit` lets the subscriptions that follow it take its events without reading */
  notifyCommitted(commit?: CommittedEvents): void {
    for (const subscription of this.open) subscription.wake(commit);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.open].map((subscription) => subscription.close()));
  }
}
