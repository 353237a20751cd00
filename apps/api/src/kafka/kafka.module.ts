import { BeforeApplicationShutdown, Inject, Injectable, Module, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { EVENT_STORE, EventStore } from '@complaints/event-store';
import { Kafka } from 'kafkajs';
import * as path from 'path';
import type { Logger } from 'pino';
import { LeaseHandle, LEASES, Leases } from '../cluster/leases';
import { ComplaintsModule } from '../complaints/complaints.module';
import { chooseStores, READ_MODELS_SCHEMA } from '../infrastructure/store-choice';
import { APP_CONFIG, AppConfig } from '../platform/config';
import { HealthRegistry, MetricsService, ROOT_LOGGER } from '../platform/observability';
import { CallCenterConsumer } from './callcenter.consumer';
import { CallCenterRegistration } from './callcenter-registration';
import { createKafka, idempotentProducer } from './kafka-client';
import { kafkaHealth } from './kafka.health';
import { registerKafkaMetrics } from './kafka.metrics';
import { kafkaTopics } from './kafka-topics';
import { OutboundRelay, OutboundRelayStatus } from './outbound.relay';
import { PostgresRelayCheckpointStore, RelayCheckpoints, RelayCheckpointStore } from './relay-checkpoint.store';

export const KAFKA_RELAY_LEASE = 'kafka-relay';

/** The relay's checkpoint file, under DATA_DIR (without DATABASE_URL). */
export function relayCheckpointFile(config: AppConfig): string {
  return path.resolve(config.dataDir, 'kafka.sqlite');
}

/**
 * The 10086 integration over Kafka: the consumer of `callcenter.complaints.v1`
 * and the relay that publishes the log. Both start once the application is up
 * and keep trying while the broker is away; both stop before the stores close
 * (beforeApplicationShutdown runs before every onApplicationShutdown).
 *
 * Several instances: every one consumes (the consumer group shares the
 * partitions out); the relay runs on the one holding the lease
 * `kafka-relay`, from the checkpoint in PostgreSQL, and another takes over
 * from there when it dies (what the dead one sent after its last checkpoint
 * is sent again: at-least-once, as after a crash).
 */
@Injectable()
export class KafkaIntegration implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private checkpoints: RelayCheckpoints | undefined;
  readonly consumer: CallCenterConsumer;
  /** the relay of this lease term, while this instance holds the lease */
  private running: OutboundRelay | undefined;
  private lastStatus: OutboundRelayStatus = { state: 'starting', position: 0 };
  private lease: LeaseHandle | undefined;
  private readonly kafka: Kafka;
  private readonly topics: ReturnType<typeof kafkaTopics>;
  private readonly observer: ReturnType<typeof registerKafkaMetrics>;
  private readonly logger: Logger;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ROOT_LOGGER) logger: Logger,
    @Inject(LEASES) private readonly leases: Leases,
    registration: CallCenterRegistration,
    metrics: MetricsService,
    private readonly health: HealthRegistry,
  ) {
    if (!config.kafkaBrokers) throw new Error('KafkaModule is imported only when KAFKA_BROKERS is set');
    this.logger = logger.child({ component: 'kafka' });
    this.topics = kafkaTopics(config.kafkaTopicPrefix);
    this.kafka = createKafka(config.kafkaBrokers, 'complaints-api', this.logger);
    this.observer = registerKafkaMetrics(metrics.registry, {
      topic: this.topics.callcenterComplaints,
      consumer: () => this.consumer.current(),
      relay: () => this.relayStatus(),
      relayLag: () => this.relayLag(),
    });
    this.consumer = new CallCenterConsumer(this.kafka, idempotentProducer(this.kafka), registration, this.topics, config.kafkaGroupId, this.logger, this.observer);
  }

  /** the relay of this instance, while it holds the lease */
  get relay(): OutboundRelay | undefined {
    return this.running;
  }

  async onModuleInit(): Promise<void> {
    this.checkpoints =
      chooseStores(this.config).leases === 'postgres'
        ? await PostgresRelayCheckpointStore.open(this.config.databaseUrl!, READ_MODELS_SCHEMA, (error) =>
            this.logger.warn({ err: error }, 'relay checkpoints: a PostgreSQL connection failed (it is replaced)'),
          )
        : new RelayCheckpointStore(relayCheckpointFile(this.config), this.config.sqliteSynchronous);
    this.health.register('kafka', async () => kafkaHealth(this.consumer.current(), this.relayStatus(), await this.relayLag(), Date.now()), { critical: false });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.logger.info({ brokers: this.config.kafkaBrokers }, `Kafka: ${this.config.kafkaBrokers!.join(',')} (10086 consumer and outbound relay)`);
    this.consumer.start();
    this.lease = await this.leases.hold(KAFKA_RELAY_LEASE, { start: () => this.startRelay(), stop: () => this.stopRelay() });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
    await this.lease?.release();
    await this.stopRelay();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.checkpoints?.close();
  }

  private async startRelay(): Promise<void> {
    const relay = new OutboundRelay(this.kafka, this.store, this.checkpoints!, this.topics, this.logger, this.observer);
    this.running = relay;
    await relay.start();
  }

  private async stopRelay(): Promise<void> {
    const relay = this.running;
    if (!relay) return;
    this.running = undefined;
    await relay.stop();
    this.lastStatus = { ...relay.current(), state: 'elsewhere' };
  }

  private relayStatus(): OutboundRelayStatus {
    if (this.running) return this.running.current();
    return this.lease && !this.lease.held() ? { ...this.lastStatus, state: 'elsewhere' } : this.lastStatus;
  }

  /** the holder's lag; an instance that does not hold the relay reports 0 (the holder reports it) */
  private async relayLag(): Promise<number> {
    return this.running ? this.running.lag() : 0;
  }
}

/** Imported by AppModule only when KAFKA_BROKERS is set. */
@Module({
  imports: [CqrsModule, ComplaintsModule],
  providers: [CallCenterRegistration, KafkaIntegration],
  exports: [KafkaIntegration],
})
export class KafkaModule {}
