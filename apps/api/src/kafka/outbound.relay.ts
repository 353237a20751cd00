import type { ComplaintRegistered } from '@complaints/domain';
import { EventStore, RecordedEvent, Subscription } from '@complaints/event-store';
import { Kafka, Message, Producer, TopicMessages } from 'kafkajs';
import { idempotentProducer } from './kafka-client';
import type { Logger } from 'pino';
import { KafkaTopics } from './kafka-topics';
import { complaintEventMessage, complaintIdOfStream, customerNotifications, notificationMessage, notifiesCustomer } from './outbound-messages';
import { RelayCheckpoints } from './relay-checkpoint.store';

export interface OutboundRelayOptions {
  /** events sent to the broker in one request (and one checkpoint write), at most */
  batchSize?: number;
  /** bytes of messages (values, keys and headers) in one request, at most; one event bigger than this goes alone */
  maxBatchBytes?: number;
  /** events the subscription may hand over before it waits for the broker */
  maxBuffered?: number;
  /** pause after a failed send before the same batch is sent again */
  retryDelayMs?: number;
}

export interface OutboundRelayObserver {
  published(topic: string, count: number): void;
}

export interface OutboundRelayStatus {
  /** `elsewhere`: another instance holds the relay's lease and publishes */
  state: 'starting' | 'running' | 'failing' | 'stopped' | 'elsewhere';
  /** the position of the last event the broker acknowledged (the checkpoint) */
  position: number;
  lastError?: string;
  /** since when a send has waited for the broker's acknowledgement */
  sendingSince?: number;
}

/** complaint id → the customer's number, for the notifications; bounded */
const MSISDN_CACHE_SIZE = 100_000;

/**
 * The broker refuses a record batch above its `message.max.bytes` (1 MiB by
 * default), and all of one request's messages may land in one partition: a
 * request stays at half of that, whatever the events hold.
 */
const DEFAULT_MAX_BATCH_BYTES = 512 * 1024;

/** the messages of a batch of events, ready to send */
interface PreparedBatch {
  /** how many events of the buffer (from its start) it covers */
  count: number;
  events: Message[];
  notifications: Message[];
}

/** the bytes a message takes on the wire, near enough (UTF-8 lengths of its parts, plus a record's overhead) */
function messageBytes(message: Message): number {
  let bytes = 64 + byteLength(message.key) + byteLength(message.value);
  for (const [name, value] of Object.entries(message.headers ?? {})) bytes += Buffer.byteLength(name) + byteLength(value as string | Buffer | undefined);
  return bytes;
}

const byteLength = (value: string | Buffer | null | undefined): number => (value === null || value === undefined ? 0 : typeof value === 'string' ? Buffer.byteLength(value) : value.length);

/**
 * Publishes the event log to Kafka after the appends committed, never inside
 * a request: every event of a complaint to `complaints.events.v1` keyed by the
 * complaint id, and what the customer is told to `customer.notifications.v1`
 * keyed by the MSISDN.
 *
 * It follows the log from its checkpoint (a subscription: catch-up reads,
 * then the commits of this process as they happen), sends batches in position
 * order with an idempotent producer (acks from all in-sync replicas, one
 * request in flight), and moves the checkpoint only after the broker
 * acknowledged a batch. A crash between the acknowledgement and the
 * checkpoint sends that batch again: at-least-once, with the event id in the
 * `event-id` header for consumers to drop what they have seen. One key goes to
 * one partition and batches go one after the other, so a complaint's events
 * arrive in order (a redelivered batch repeats them, in order again).
 */
export class OutboundRelay {
  private readonly batchSize: number;
  private readonly maxBatchBytes: number;
  private readonly maxBuffered: number;
  private readonly retryDelayMs: number;
  private readonly name: string;
  private readonly logger: Logger;
  private producer: Producer | undefined;
  private subscription: Subscription | undefined;
  private buffer: RecordedEvent[] = [];
  private readonly msisdns = new Map<string, string>();
  private wakeFlusher: (() => void) | undefined;
  private drained: { promise: Promise<void>; resolve: () => void } | undefined;
  private flushing: Promise<void> | undefined;
  private stopping = false;
  private pause: { timer: NodeJS.Timeout; resolve: () => void } | undefined;
  private readonly status: OutboundRelayStatus = { state: 'starting', position: 0 };

  constructor(
    private readonly kafka: Kafka,
    private readonly store: EventStore,
    private readonly checkpoints: RelayCheckpoints,
    private readonly topics: KafkaTopics,
    logger: Logger,
    private readonly observer: OutboundRelayObserver = { published: () => undefined },
    options: OutboundRelayOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.maxBatchBytes = options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES;
    this.maxBuffered = options.maxBuffered ?? 5_000;
    this.retryDelayMs = options.retryDelayMs ?? 1_000;
    this.name = `outbound:${topics.complaintEvents}`;
    this.logger = logger.child({ component: 'outbound-relay' });
  }

  async start(): Promise<void> {
    this.status.position = await this.checkpoints.load(this.name);
    this.logger.info({ position: this.status.position, topics: [this.topics.complaintEvents, this.topics.customerNotifications] }, `relaying the event log to Kafka from position ${this.status.position}`);
    this.subscription = this.store.subscribe((event) => this.take(event), {
      fromPosition: this.status.position,
      onError: (error) => {
        this.status.state = 'failing';
        this.status.lastError = `the log subscription stopped: ${(error as Error).message}`;
        this.logger.error({ err: error }, 'the outbound relay stopped following the log');
      },
    });
    this.flushing = this.flushLoop();
    this.status.state = 'running';
  }

  current(): OutboundRelayStatus {
    return { ...this.status };
  }

  /** events in the log that the broker has not acknowledged yet */
  async lag(): Promise<number> {
    return Math.max(0, (await this.store.headPosition()) - this.status.position);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.drained?.resolve();
    this.wakeFlusher?.();
    if (this.pause) {
      clearTimeout(this.pause.timer);
      this.pause.resolve();
    }
    await this.subscription?.close();
    // a send in flight ends with the producer's disconnect (it may be retrying against a broker that is gone)
    await this.producer?.disconnect().catch(() => undefined);
    await this.flushing?.catch(() => undefined);
    this.status.state = 'stopped';
  }

  /** the subscription's handler: buffers, and holds the subscription back while the broker is behind */
  private async take(event: RecordedEvent): Promise<void> {
    if (event.type === 'ComplaintRegistered') {
      const complaintId = complaintIdOfStream(event.streamId);
      if (complaintId !== undefined) this.remember(complaintId, (event.data as ComplaintRegistered['data']).customer.msisdn);
    }
    this.buffer.push(event);
    this.wakeFlusher?.();
    while (this.buffer.length >= this.maxBuffered && !this.stopping) {
      if (!this.drained) {
        let resolve!: () => void;
        const promise = new Promise<void>((r) => (resolve = r));
        this.drained = { promise, resolve };
      }
      await this.drained.promise;
    }
  }

  private async flushLoop(): Promise<void> {
    while (!this.stopping) {
      if (this.buffer.length === 0) {
        await new Promise<void>((resolve) => (this.wakeFlusher = resolve));
        this.wakeFlusher = undefined;
        continue;
      }
      const batch = await this.prepare();
      const from = this.buffer[0].position;
      try {
        await this.publish(batch);
      } catch (error) {
        if (this.stopping) return;
        this.status.state = 'failing';
        this.status.lastError = (error as Error).message;
        this.logger.error({ err: error, from, to: this.buffer[batch.count - 1].position }, 'the outbound relay could not publish; sending the batch again');
        await this.resetProducer();
        await this.sleep(this.retryDelayMs);
        continue;
      }
      const last = this.buffer[batch.count - 1].position;
      try {
        await this.checkpoints.save(this.name, last);
      } catch (error) {
        // acknowledged but not recorded: sent again after a restart (at-least-once); here, recorded with the next batch
        this.logger.warn({ err: error, position: last }, 'the outbound relay could not record its checkpoint');
      }
      this.status.position = last;
      this.status.state = 'running';
      this.status.lastError = undefined;
      this.buffer.splice(0, batch.count);
      if (this.drained && this.buffer.length < this.maxBuffered) {
        this.drained.resolve();
        this.drained = undefined;
      }
    }
  }

  /**
   * The messages of the events at the head of the buffer: up to `batchSize`
   * events, and no more bytes than `maxBatchBytes` (but always the first
   * event, whatever its size).
   */
  private async prepare(): Promise<PreparedBatch> {
    const batch: PreparedBatch = { count: 0, events: [], notifications: [] };
    let bytes = 0;
    for (const event of this.buffer) {
      if (batch.count === this.batchSize) break;
      const events: Message[] = [];
      const notifications: Message[] = [];
      const message = complaintEventMessage(event);
      if (message) events.push(message);
      if (notifiesCustomer(event)) {
        const msisdn = await this.msisdnOf(complaintIdOfStream(event.streamId)!);
        if (msisdn === undefined) this.logger.warn({ eventId: event.id, streamId: event.streamId }, 'no registration found for a notification: skipped');
        else for (const notification of customerNotifications(event, msisdn)) notifications.push(notificationMessage(notification));
      }
      const size = [...events, ...notifications].reduce((sum, m) => sum + messageBytes(m), 0);
      if (batch.count > 0 && bytes + size > this.maxBatchBytes) break;
      bytes += size;
      batch.count++;
      batch.events.push(...events);
      batch.notifications.push(...notifications);
    }
    return batch;
  }

  private async publish({ events, notifications }: PreparedBatch): Promise<void> {
    const topicMessages: TopicMessages[] = [];
    if (events.length > 0) topicMessages.push({ topic: this.topics.complaintEvents, messages: events });
    if (notifications.length > 0) topicMessages.push({ topic: this.topics.customerNotifications, messages: notifications });
    if (topicMessages.length === 0) return;
    const producer = await this.connectedProducer();
    this.status.sendingSince = Date.now();
    try {
      await producer.sendBatch({ topicMessages, acks: -1 });
    } finally {
      this.status.sendingSince = undefined;
    }
    if (events.length > 0) this.observer.published(this.topics.complaintEvents, events.length);
    if (notifications.length > 0) this.observer.published(this.topics.customerNotifications, notifications.length);
  }

  private async connectedProducer(): Promise<Producer> {
    if (this.producer) return this.producer;
    const producer = idempotentProducer(this.kafka);
    await producer.connect();
    this.producer = producer;
    return producer;
  }

  /** a failed idempotent producer may be left with sequence numbers the broker no longer agrees with: start a new session */
  private async resetProducer(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch(() => undefined);
  }

  private async msisdnOf(complaintId: string): Promise<string | undefined> {
    const known = this.msisdns.get(complaintId);
    if (known !== undefined) return known;
    const { events } = await this.store.readStream(`complaint-${complaintId}`);
    const registered = events.find((e) => e.type === 'ComplaintRegistered');
    if (!registered) return undefined;
    const msisdn = (registered.data as ComplaintRegistered['data']).customer.msisdn;
    this.remember(complaintId, msisdn);
    return msisdn;
  }

  private remember(complaintId: string, msisdn: string): void {
    if (this.msisdns.size >= MSISDN_CACHE_SIZE) {
      const oldest = this.msisdns.keys().next().value;
      if (oldest !== undefined) this.msisdns.delete(oldest);
    }
    this.msisdns.set(complaintId, msisdn);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pause = undefined;
        resolve();
      }, ms);
      this.pause = { timer, resolve };
    });
  }
}
