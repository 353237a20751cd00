import { EventStore, SubscribeOptions, Subscription, SubscriptionHandler } from '../event-store.port';

/** What a subscription reads: the adapter's own committed log. */
export type EventLog = Pick<EventStore, 'readAll' | 'headPosition'>;

const DEFAULT_BATCH_SIZE = 500;

/**
 * Delivers the log from a position: catch-up reads in batches, then sleeps
 * until a commit in this process wakes it, or a poll comes round (for commits
 * made by other processes). A single loop does everything, so the handler
 * runs for one event at a time, in position order, and the loop moves past an
 * event only once its handler has returned: nothing is skipped or repeated.
 *
 * A handler that throws stops the subscription (skipping the event would lose
 * it). The error goes to `onError`; without one it is thrown as an uncaught
 * exception, because a projection that silently stopped is worse than a crash.
 * close() waits for the running handler, so a handler must not await the
 * close() of its own subscription.
 */
export class CatchUpSubscription implements Subscription {
  private position: number;
  private readonly batchSize: number;
  private closed = false;
  private failure: { error: unknown } | undefined;
  /** set by wake(), cleared before each read: a commit that lands during a read or a handler is not missed */
  private wakeRequested = false;
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
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!(Number.isSafeInteger(this.batchSize) && this.batchSize > 0)) throw new RangeError(`batchSize ${this.batchSize} is not a positive integer`);
    this.stopped = this.run();
  }

  /** Called after each commit in this process. */
  wake(): void {
    this.wakeRequested = true;
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
      this.wake();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake();
    await this.stopped;
  }

  private async run(): Promise<void> {
    try {
      while (!this.closed) {
        this.wakeRequested = false;
        const events = await this.log.readAll({ fromPosition: this.position, limit: this.batchSize });
        for (const event of events) {
          if (this.closed) return;
          await this.handler(event);
          this.position = event.position;
          this.resolveReachedWaiters();
        }
        // A full batch means there is probably more: read on without sleeping.
        if (events.length < this.batchSize) await this.sleep();
      }
    } catch (error) {
      this.failure = { error };
      const report = this.options.onError ?? rethrow;
      queueMicrotask(() => report(error));
    } finally {
      this.closed = true;
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

  private sleep(): Promise<void> {
    if (this.wakeRequested || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = this.pollIntervalMs === undefined ? undefined : setTimeout(() => this.endSleep?.(), this.pollIntervalMs);
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

  notifyCommitted(): void {
    for (const subscription of this.open) subscription.wake();
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.open].map((subscription) => subscription.close()));
  }
}
