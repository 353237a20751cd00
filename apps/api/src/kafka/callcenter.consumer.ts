import { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { CallCenterComplaintMessage, parseCallCenterMessage } from './callcenter-complaint.message';
import { CallCenterRegistration, RegistrationOutcome } from './callcenter-registration';
import { HEADERS, KafkaTopics } from './kafka-topics';

/** messages of a fetched batch registered at once (different customers run concurrently and share the store's group commits) */
const CHUNK = 200;
/** resolved offsets are committed at most this long after they are durable, and at the end of each batch */
const COMMIT_INTERVAL_MS = 500;
const RESTART_DELAY_MS = 2_000;

export type ConsumedOutcome = 'registered' | 'duplicate' | 'dead_lettered';

export interface CallCenterConsumerObserver {
  consumed(outcome: ConsumedOutcome, count: number): void;
}

export interface CallCenterConsumerStatus {
  /** joined the group and fetching */
  state: 'starting' | 'connected' | 'crashed' | 'stopped';
  detail?: string;
  /** messages behind the partition's end, per partition, as of the last chunk handled */
  lag: Map<number, number>;
}

interface DeadLetter {
  message: KafkaMessage;
  error: string;
}

/**
 * The consumer of `callcenter.complaints.v1` (API.md): registers each 10086
 * ticket once, sends what cannot be registered to the DLQ, and never stops on
 * a bad message.
 *
 * Offsets: a message's offset is resolved only after its complaint is
 * committed to the event log (or it is in the DLQ, acknowledged by the
 * broker), and kafkajs commits only resolved offsets (autoCommit commits the
 * resolved ones, every COMMIT_INTERVAL_MS within a batch and at its end). A
 * crash before the commit redelivers messages whose complaints exist already:
 * the registration recognises them (the ids derive from the ticket number)
 * and writes nothing.
 *
 * A failure that is not the message's fault (the store, the broker) makes the
 * batch fail: kafkajs fetches again from the last resolved offset; should it
 * give up, the consumer is started again here.
 */
export class CallCenterConsumer {
  private consumer: Consumer | undefined;
  private stopping = false;
  private dlqConnected = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private starting: Promise<void> | undefined;
  private readonly status: CallCenterConsumerStatus = { state: 'starting', lag: new Map() };
  private readonly logger: Logger;

  constructor(
    private readonly kafka: Kafka,
    private readonly dlqProducer: Producer,
    private readonly registration: CallCenterRegistration,
    private readonly topics: KafkaTopics,
    private readonly groupId: string,
    logger: Logger,
    private readonly observer: CallCenterConsumerObserver = { consumed: () => undefined },
  ) {
    this.logger = logger.child({ component: 'callcenter-consumer' });
  }

  /** Starts in the background: a broker that is down now is tried again until it answers. */
  start(): void {
    this.starting = this.startOnce();
  }

  current(): CallCenterConsumerStatus {
    return this.status;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    await this.starting?.catch(() => undefined);
    await this.consumer?.disconnect().catch(() => undefined);
    await this.dlqProducer.disconnect().catch(() => undefined);
    this.status.state = 'stopped';
  }

  private async startOnce(): Promise<void> {
    if (this.stopping) return;
    const consumer = this.kafka.consumer({
      groupId: this.groupId,
      // a consumer that died (SIGKILL, a lost machine) holds its partitions until this passes
      sessionTimeout: 10_000,
      heartbeatInterval: 2_000,
      retry: { restartOnFailure: async () => !this.stopping },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.status.state = 'connected';
      this.status.detail = `in group ${payload.groupId}, ${Object.values(payload.memberAssignment).flat().length} partitions assigned`;
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.status.state = 'crashed';
      this.status.detail = `${payload.error.name}: ${payload.error.message}`;
      this.logger.error({ err: payload.error, restart: payload.restart }, 'the 10086 consumer crashed');
      // kafkajs restarts it on retriable errors; on others it would stay down: start it again here
      if (!payload.restart) this.restartLater(consumer);
    });
    consumer.on(consumer.events.DISCONNECT, () => {
      if (!this.stopping && this.status.state === 'connected') this.status.state = 'starting';
    });
    try {
      await this.ensureTopics();
      await consumer.connect();
      await consumer.subscribe({ topic: this.topics.callcenterComplaints, fromBeginning: true });
      await consumer.run({
        autoCommit: true,
        autoCommitInterval: COMMIT_INTERVAL_MS,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 3,
        eachBatch: (payload) => this.handleBatch(payload),
      });
      this.logger.info({ topic: this.topics.callcenterComplaints, groupId: this.groupId }, `consuming ${this.topics.callcenterComplaints} as group ${this.groupId}`);
    } catch (error) {
      this.status.state = 'crashed';
      this.status.detail = `cannot connect: ${(error as Error).message}`;
      this.logger.warn({ err: error }, 'the 10086 consumer could not start; trying again');
      this.restartLater(consumer);
    }
  }

  /**
   * Creates the topics of API.md that do not exist yet (with the broker's
   * default partitions and replication), so that a fresh cluster does not
   * make the first subscription fail; existing topics are left as they are.
   */
  private async ensureTopics(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = Object.values(this.topics).filter((topic) => !existing.has(topic));
      if (missing.length > 0) {
        await admin.createTopics({ topics: missing.map((topic) => ({ topic })), waitForLeaders: true });
        this.logger.info({ topics: missing }, `created the Kafka topics ${missing.join(', ')}`);
      }
    } finally {
      await admin.disconnect();
    }
  }

  private restartLater(consumer: Consumer): void {
    if (this.stopping || this.restartTimer) return;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      void consumer
        .disconnect()
        .catch(() => undefined)
        .then(() => {
          if (!this.stopping) this.starting = this.startOnce();
        });
    }, RESTART_DELAY_MS);
  }

  private async handleBatch({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary }: EachBatchPayload): Promise<void> {
    for (let i = 0; i < batch.messages.length; i += CHUNK) {
      if (!isRunning() || isStale()) return;
      const chunk = batch.messages.slice(i, i + CHUNK);
      try {
        await this.handleChunk(batch.topic, batch.partition, chunk);
      } catch (error) {
        // kafkajs fetches the chunk again from its first offset (nothing of it was resolved)
        this.logger.warn({ err: error, partition: batch.partition, from: chunk[0].offset }, 'a chunk of 10086 messages failed; it will be handled again');
        throw error;
      }
      const last = chunk[chunk.length - 1].offset;
      resolveOffset(last);
      this.status.lag.set(batch.partition, Math.max(0, Number(batch.highWatermark) - Number(last) - 1));
      await commitOffsetsIfNecessary();
      await heartbeat();
    }
  }

  /** Every message of the chunk is registered, or found registered, or in the DLQ, when this resolves. */
  private async handleChunk(topic: string, partition: number, chunk: KafkaMessage[]): Promise<void> {
    const dead: DeadLetter[] = [];
    // one lane per customer: a customer's tickets run in order, so each one counts the earlier ones as repeat complaints
    const lanes = new Map<string, { message: KafkaMessage; parsed: CallCenterComplaintMessage }[]>();
    for (const message of chunk) {
      const parsed = await parseCallCenterMessage(message.value);
      if (!parsed.ok) {
        dead.push({ message, error: parsed.error });
        continue;
      }
      const lane = parsed.message.customer.msisdn;
      const list = lanes.get(lane);
      if (list) list.push({ message, parsed: parsed.message });
      else lanes.set(lane, [{ message, parsed: parsed.message }]);
    }
    const counts: Record<ConsumedOutcome, number> = { registered: 0, duplicate: 0, dead_lettered: 0 };
    const settled = await Promise.allSettled(
      [...lanes.values()].map(async (lane) => {
        for (const { message, parsed } of lane) {
          const outcome: RegistrationOutcome = await this.registration.register(parsed);
          if (outcome.kind === 'refused') dead.push({ message, error: outcome.error });
          else counts[outcome.kind]++;
        }
      }),
    );
    // every lane has finished (no write is still running) before a failure is passed on
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure) throw failure.reason;

    if (dead.length > 0) {
      dead.sort((a, b) => Number(a.message.offset) - Number(b.message.offset));
      await this.deadLetter(topic, partition, dead);
      counts.dead_lettered = dead.length;
    }
    for (const outcome of ['registered', 'duplicate', 'dead_lettered'] as const) {
      if (counts[outcome] > 0) this.observer.consumed(outcome, counts[outcome]);
    }
  }

  /** The messages as received (key, value, headers), with why and when; resolves once the broker has them. */
  private async deadLetter(topic: string, partition: number, dead: DeadLetter[]): Promise<void> {
    const failedAt = new Date().toISOString();
    if (!this.dlqConnected) {
      await this.dlqProducer.connect();
      this.dlqConnected = true;
    }
    await this.dlqProducer.send({
      topic: this.topics.callcenterDeadLetters,
      acks: -1,
      messages: dead.map(({ message, error }) => ({
        key: message.key,
        value: message.value,
        headers: {
          ...copyHeaders(message.headers),
          [HEADERS.error]: error,
          [HEADERS.failedAt]: failedAt,
          'original-topic': topic,
          'original-partition': String(partition),
          'original-offset': message.offset,
        },
      })),
    });
    for (const { message, error } of dead) {
      this.logger.warn({ topic, partition, offset: message.offset, key: message.key?.toString(), error }, 'a 10086 message went to the DLQ');
    }
  }
}

function copyHeaders(headers: IHeaders | undefined): IHeaders {
  const copy: IHeaders = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) copy[name] = value;
  }
  return copy;
}
