import { BeforeApplicationShutdown, Inject, Injectable, Module, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { EVENT_STORE, EventStore } from '@complaints/event-store';
import { Kafka } from 'kafkajs';
import * as path from 'path';
import type { Logger } from 'pino';
import { ComplaintsModule } from '../complaints/complaints.module';
import { APP_CONFIG, AppConfig } from '../platform/config';
import { HealthRegistry, MetricsService, ROOT_LOGGER } from '../platform/observability';
import { CallCenterConsumer } from './callcenter.consumer';
import { CallCenterRegistration } from './callcenter-registration';
import { createKafka, idempotentProducer } from './kafka-client';
import { kafkaHealth } from './kafka.health';
import { registerKafkaMetrics } from './kafka.metrics';
import { kafkaTopics } from './kafka-topics';
import { OutboundRelay } from './outbound.relay';
import { RelayCheckpointStore } from './relay-checkpoint.store';

/** The relay's checkpoint file, under DATA_DIR. */
export function relayCheckpointFile(config: AppConfig): string {
  return path.resolve(config.dataDir, 'kafka.sqlite');
}

/**
 * The 10086 integration over Kafka: the consumer of `callcenter.complaints.v1`
 * and the relay that publishes the log. Both start once the application is up
 * and keep trying while the broker is away; both stop before the stores close
 * (beforeApplicationShutdown runs before every onApplicationShutdown).
 */
@Injectable()
export class KafkaIntegration implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly checkpoints: RelayCheckpointStore;
  readonly consumer: CallCenterConsumer;
  readonly relay: OutboundRelay;
  private readonly logger: Logger;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(ROOT_LOGGER) logger: Logger,
    registration: CallCenterRegistration,
    metrics: MetricsService,
    private readonly health: HealthRegistry,
  ) {
    if (!config.kafkaBrokers) throw new Error('KafkaModule is imported only when KAFKA_BROKERS is set');
    this.logger = logger.child({ component: 'kafka' });
    const topics = kafkaTopics(config.kafkaTopicPrefix);
    const kafka: Kafka = createKafka(config.kafkaBrokers, 'complaints-api', this.logger);
    this.checkpoints = new RelayCheckpointStore(relayCheckpointFile(config), config.sqliteSynchronous);
    const observer = registerKafkaMetrics(metrics.registry, {
      topic: topics.callcenterComplaints,
      consumer: () => this.consumer.current(),
      relay: () => this.relay.current(),
      relayLag: () => this.relay.lag(),
    });
    this.consumer = new CallCenterConsumer(kafka, idempotentProducer(kafka), registration, topics, config.kafkaGroupId, this.logger, observer);
    this.relay = new OutboundRelay(kafka, store, this.checkpoints, topics, this.logger, observer);
  }

  onModuleInit(): void {
    this.health.register('kafka', async () => kafkaHealth(this.consumer.current(), this.relay.current(), await this.relay.lag(), Date.now()), { critical: false });
  }

  onApplicationBootstrap(): void {
    this.logger.info({ brokers: this.config.kafkaBrokers }, `Kafka: ${this.config.kafkaBrokers!.join(',')} (10086 consumer and outbound relay)`);
    this.relay.start();
    this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
    await this.relay.stop();
  }

  onApplicationShutdown(): void {
    this.checkpoints.close();
  }
}

/** Imported by AppModule only when KAFKA_BROKERS is set. */
@Module({
  imports: [CqrsModule, ComplaintsModule],
  providers: [CallCenterRegistration, KafkaIntegration],
  exports: [KafkaIntegration],
})
export class KafkaModule {}
