/**
 * The raw baseline of (f)'s relay figure, in a fresh child process as the
 * server's relay is (so neither side has a warmer JIT than the other): a
 * plain kafkajs producer with the relay's settings (idempotentProducer:
 * idempotent, acks from all in-sync replicas, one request in flight, the Java
 * partitioner) sending the messages the relay makes of the same log
 * (complaintEventMessage of every event: the same keys, values and headers),
 * built before the clock starts, RAW_SEND_SIZE per request. Timed from its
 * connect to the last acknowledgement.
 *
 *   node -r tools/register-paths.js dist/bench/kafka-raw-producer.js <brokers> <topic> <events.sqlite>
 *
 * Reports { type: 'done', messages, seconds, cpuSeconds } over IPC.
 */
import Database from 'better-sqlite3';
import { Kafka, logLevel } from 'kafkajs';
import { performance } from 'perf_hooks';
import type { RecordedEvent } from '@complaints/event-store';
import { idempotentProducer } from '../apps/api/src/kafka/kafka-client';
import { complaintEventMessage, OutboundMessage } from '../apps/api/src/kafka/outbound-messages';

/** messages per request */
export const RAW_SEND_SIZE = 1_000;

export type RawProducerMessage = { type: 'done'; messages: number; seconds: number; cpuSeconds: number } | { type: 'failed'; error: string };

/** the events of a log, as the store hands them to the relay */
export function readLog(file: string): RecordedEvent[] {
  const db = new Database(file, { readonly: true });
  try {
    return db
      .prepare<[], { position: number; stream_id: string; revision: number; event_id: string; type: string; data: string; metadata: string; recorded_at: string }>('SELECT * FROM events ORDER BY position')
      .all()
      .map((row) => ({ id: row.event_id, streamId: row.stream_id, type: row.type, data: JSON.parse(row.data) as unknown, metadata: JSON.parse(row.metadata) as RecordedEvent['metadata'], revision: row.revision, position: row.position, recordedAt: row.recorded_at }));
  } finally {
    db.close();
  }
}

/** what the relay sends to complaints.events.v1 for these events */
export function relayMessages(events: readonly RecordedEvent[]): OutboundMessage[] {
  return events.map((e) => complaintEventMessage(e)).filter((m): m is OutboundMessage => m !== undefined);
}

async function main(): Promise<void> {
  const [brokers, topic, file] = process.argv.slice(2);
  const messages = relayMessages(readLog(file));
  const kafka = new Kafka({ clientId: 'bench-raw-producer', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const producer = idempotentProducer(kafka);
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += RAW_SEND_SIZE) await producer.send({ topic, acks: -1, messages: messages.slice(i, i + RAW_SEND_SIZE) });
  } finally {
    await producer.disconnect();
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  process.send?.({ type: 'done', messages: messages.length, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 } satisfies RawProducerMessage, () => process.exit(0));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.send?.({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies RawProducerMessage, () => process.exit(1));
  });
}
