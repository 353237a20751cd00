import type { AllStreamResolvedEvent, AllStreamSubscription, Position } from '@kurrent/kurrentdb-client';
import { START } from './esdb.client';
import { RecordedEvent, SubscribeOptions, Subscription, SubscriptionHandler } from '../event-store.port';
import { classifyEsdbError, isAfter, isOwnEvent, ownEventsFilter, toRecordedEvent } from './esdb.mapping';
import type { EsdbClient } from './esdb.event-store';

/** What a subscription needs of its store. */
export interface SubscriptionSource {
  readonly client: EsdbClient;
  readonly prefix: string;
  /** where to subscribe from for the port's `fromPosition`: that event, or the last indexed one when `fromPosition` is past the head */
  startAt(fromPosition: number): Promise<{ ordinal: number; at: Position | typeof START }>;
  /** the subscription saw the event at ordinal `after + 1` at `position`: the index takes it if it follows what it knows */
  recordSeen(after: number, position: Position): void;
  headPosition(): Promise<number>;
  /** the connection under a subscription failed; it subscribes again after `resubscribeDelayMs` */
  connectionLost(error: unknown): void;
  readonly resubscribeDelayMs: number;
  stopped(subscription: EsdbSubscription): void;
}

/** Above this many events received and not yet handled, the gRPC stream is paused (and so is the server). */
const HIGH_WATER = 256;
const LOW_WATER = 64;

/** The handler threw: stop, and report its own error (never retried, never skipped). */
class HandlerFailed {
  constructor(readonly error: unknown) {}
}

/**
 * The port's subscription over an EventStoreDB catch-up subscription to $all,
 * filtered to the store's own events: the server sends the stored events from
 * the starting point, then the live ones, in $all order. Each own event gets
 * the next ordinal (the port's position) and is handed to the handler once,
 * one at a time: events that arrive while it runs wait (the stream is paused
 * beyond a few hundred).
 *
 * The starting point is exclusive in EventStoreDB as in the port: the
 * subscription starts at the $all position of the event at `fromPosition`. An
 * event at or before the last one seen is dropped, so a resubscription never
 * repeats one. When the connection fails or the server ends the subscription,
 * it subscribes again from the last event seen (after `resubscribeDelayMs`,
 * reporting the error to the store's `onConnectionError`); only a handler that
 * throws, or an error that is not about the connection, stops it.
 */
export class EsdbSubscription implements Subscription {
  /** the last event handled (the port's position) */
  private position: number;
  /** the last event received: where a resubscription starts, and the ordinal the next own event follows */
  private seen: { ordinal: number; at: Position | typeof START } | undefined;
  private queue: AllStreamResolvedEvent[] = [];
  private stream: AllStreamSubscription | undefined;
  private streamFailure: { error: unknown } | undefined;
  private streamEnded = false;
  private closed = false;
  private failure: { error: unknown } | undefined;
  private endWait: (() => void) | undefined;
  private readonly waiters: { position: number; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private readonly done: Promise<void>;

  constructor(
    private readonly source: SubscriptionSource,
    private readonly handler: SubscriptionHandler,
    private readonly options: SubscribeOptions,
  ) {
    if (!(Number.isSafeInteger(options.fromPosition) && options.fromPosition >= 0)) {
      throw new RangeError(`fromPosition ${options.fromPosition} is not a position`);
    }
    this.position = options.fromPosition;
    this.done = this.run();
  }

  async caughtUp(): Promise<void> {
    const target = await this.source.headPosition();
    if (this.position >= target) return;
    if (this.failure) throw this.failure.error;
    if (this.closed) throw new Error('the subscription was closed before it caught up');
    return new Promise((resolve, reject) => this.waiters.push({ position: target, resolve, reject }));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.endWait?.();
    await this.done;
  }

  private async run(): Promise<void> {
    try {
      this.seen = await this.source.startAt(this.options.fromPosition);
      while (!this.closed) {
        this.open(this.seen.at);
        try {
          await this.pump();
        } catch (error) {
          if (error instanceof HandlerFailed || classifyEsdbError(error) !== 'unavailable') throw error;
          this.source.connectionLost(error);
        } finally {
          await this.dropStream();
        }
        if (!this.closed) await this.pause(this.source.resubscribeDelayMs);
      }
    } catch (error) {
      this.failure = { error: error instanceof HandlerFailed ? error.error : error };
      const report = this.options.onError ?? rethrow;
      const reported = this.failure.error;
      queueMicrotask(() => report(reported));
    } finally {
      this.closed = true;
      this.queue = [];
      await this.dropStream();
      const reason = this.failure ? this.failure.error : new Error('the subscription was closed before it caught up');
      for (const waiter of this.waiters.splice(0)) waiter.reject(reason);
      this.source.stopped(this);
    }
  }

  private open(from: Position | typeof START): void {
    this.streamFailure = undefined;
    this.streamEnded = false;
    const stream = this.source.client.subscribeToAll({ fromPosition: from, filter: ownEventsFilter(this.source.prefix) });
    stream.on('data', (resolved: AllStreamResolvedEvent) => {
      this.queue.push(resolved);
      if (this.queue.length >= HIGH_WATER) stream.pause();
      this.endWait?.();
    });
    stream.on('error', (error: unknown) => {
      this.streamFailure ??= { error };
      this.endWait?.();
    });
    stream.on('end', () => {
      this.streamEnded = true;
      this.endWait?.();
    });
    stream.on('close', () => {
      this.streamEnded = true;
      this.endWait?.();
    });
    this.stream = stream;
  }

  /** Hands the received events to the handler until close(), or until the stream fails or ends (then throws). */
  private async pump(): Promise<void> {
    while (!this.closed) {
      const resolved = this.queue.shift();
      if (resolved === undefined) {
        if (this.streamFailure) throw this.streamFailure.error;
        if (this.streamEnded) throw Object.assign(new Error('EventStoreDB ended the subscription'), { type: 'unavailable' });
        await new Promise<void>((resolve) => (this.endWait = resolve));
        this.endWait = undefined;
        continue;
      }
      if (this.queue.length <= LOW_WATER && this.stream?.isPaused()) this.stream.resume();
      await this.take(resolved);
    }
  }

  private async take({ event }: AllStreamResolvedEvent): Promise<void> {
    const seen = this.seen!;
    if (event === undefined || event.position === undefined) return;
    if (seen.at !== START && !isAfter(event.position, seen.at)) return;
    if (!isOwnEvent(this.source.prefix, event.streamId, event.type)) {
      this.seen = { ordinal: seen.ordinal, at: event.position };
      return;
    }
    const ordinal = seen.ordinal + 1;
    this.source.recordSeen(seen.ordinal, event.position);
    this.seen = { ordinal, at: event.position };
    if (ordinal <= this.options.fromPosition) return;
    const recorded: RecordedEvent = toRecordedEvent(this.source.prefix, event, ordinal);
    try {
      await this.handler(recorded);
    } catch (error) {
      throw new HandlerFailed(error);
    }
    this.position = ordinal;
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i].position <= this.position) this.waiters.splice(i, 1)[0].resolve();
    }
  }

  private async dropStream(): Promise<void> {
    const stream = this.stream;
    this.stream = undefined;
    if (!stream) return;
    stream.removeAllListeners('data');
    // a late error of a stream given up must not become an uncaught exception
    stream.on('error', () => undefined);
    await stream.unsubscribe().catch(() => undefined);
    stream.destroy();
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.endWait = undefined;
        resolve();
      }, ms);
      this.endWait = () => {
        clearTimeout(timer);
        this.endWait = undefined;
        resolve();
      };
    });
  }
}

function rethrow(error: unknown): never {
  throw error;
}
