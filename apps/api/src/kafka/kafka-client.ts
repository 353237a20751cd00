import { Kafka, logLevel, LogEntry, Partitioners, Producer, RetryOptions } from 'kafkajs';
import type { Logger } from 'pino';

/**
 * Retries of every client, explicit: kafkajs picks much shorter defaults of
 * its own when NODE_ENV=test, and the longer ones (30 s between tries) would
 * keep the relay idle long after a broker came back.
 */
export const KAFKA_RETRY: RetryOptions = { initialRetryTime: 300, maxRetryTime: 5_000, retries: 8, factor: 0.2, multiplier: 2 };

/** kafkajs logs through the application's pino logger (JSON on stdout), warnings and worse unless LOG_LEVEL asks for more. */
function pinoLogCreator(logger: Logger) {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, ...extra } = log;
      const fields = { component: 'kafkajs', namespace, ...extra };
      switch (level) {
        case logLevel.ERROR:
        case logLevel.NOTHING:
          logger.error(fields, message);
          break;
        case logLevel.WARN:
          logger.warn(fields, message);
          break;
        case logLevel.INFO:
          logger.info(fields, message);
          break;
        default:
          logger.debug(fields, message);
      }
    };
}

export function createKafka(brokers: readonly string[], clientId: string, logger: Logger): Kafka {
  const level = logger.isLevelEnabled('debug') ? logLevel.INFO : logLevel.WARN;
  return new Kafka({
    clientId,
    brokers: [...brokers],
    retry: KAFKA_RETRY,
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    logLevel: level,
    logCreator: pinoLogCreator(logger),
  });
}

/**
 * An idempotent producer (acks from all in-sync replicas, one request in
 * flight, so a retry never reorders or doubles within a session), retrying
 * for as long as it takes, as kafkajs requires of an idempotent producer. The
 * Java client's partitioner (murmur2 of the key): a key lands on the
 * partition a Java producer would pick.
 */
export function idempotentProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: true,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { ...KAFKA_RETRY, retries: Number.MAX_SAFE_INTEGER },
  });
}
