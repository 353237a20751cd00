import { Counter, Gauge, Registry } from 'prom-client';
import { CallCenterConsumerStatus, ConsumedOutcome } from './callcenter.consumer';
import { OutboundRelayStatus } from './outbound.relay';

export interface KafkaMetrics {
  consumed(outcome: ConsumedOutcome, count: number): void;
  published(topic: string, count: number): void;
}

/**
 * The Kafka metrics, in the application's registry (MetricsService):
 * `complaints_kafka_consumer_lag_messages{topic,partition}`,
 * `complaints_kafka_relay_lag_events`, `complaints_kafka_relay_position`,
 * `complaints_kafka_consumed_total{outcome}`,
 * `complaints_kafka_published_total{topic}`. The lags are read when
 * Prometheus scrapes; the relay's against the head of the log at that moment,
 * so a stuck relay shows a growing lag.
 */
export function registerKafkaMetrics(
  registry: Registry,
  sources: { topic: string; consumer: () => CallCenterConsumerStatus; relay: () => OutboundRelayStatus; relayLag: () => Promise<number> },
): KafkaMetrics {
  new Gauge({
    name: 'complaints_kafka_consumer_lag_messages',
    help: 'Messages of the 10086 topic not handled yet, per partition (as of the last batch fetched).',
    labelNames: ['topic', 'partition'] as const,
    registers: [registry],
    collect() {
      for (const [partition, lag] of sources.consumer().lag) this.set({ topic: sources.topic, partition: String(partition) }, lag);
    },
  });
  new Gauge({
    name: 'complaints_kafka_relay_lag_events',
    help: 'Events in the log that the outbound relay has not had acknowledged by the broker yet.',
    registers: [registry],
    async collect() {
      this.set(await sources.relayLag());
    },
  });
  new Gauge({
    name: 'complaints_kafka_relay_position',
    help: 'Position of the last event the broker acknowledged (the relay checkpoint).',
    registers: [registry],
    collect() {
      this.set(sources.relay().position);
    },
  });
  const consumed = new Counter({
    name: 'complaints_kafka_consumed_total',
    help: '10086 messages handled, by outcome: registered, duplicate (registered before), dead_lettered.',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const published = new Counter({
    name: 'complaints_kafka_published_total',
    help: 'Messages the outbound relay had acknowledged, by topic.',
    labelNames: ['topic'] as const,
    registers: [registry],
  });
  return {
    consumed: (outcome, count) => consumed.inc({ outcome }, count),
    published: (topic, count) => published.inc({ topic }, count),
  };
}
