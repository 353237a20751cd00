import { InMemoryEventStore } from '@complaints/event-store';
import { randomUUID } from 'crypto';
import type { Kafka, ProducerBatch } from 'kafkajs';
import pino from 'pino';
import { OutboundRelay } from './outbound.relay';
import { RelayCheckpoints } from './relay-checkpoint.store';

const TOPICS = {
  callcenterComplaints: 'in',
  callcenterDeadLetters: 'dlq',
  complaintEvents: 'events',
  customerNotifications: 'notifications',
};

/** a Kafka whose producer records what it is asked to send, and acknowledges it */
function recordingKafka(): { kafka: Kafka; sent: ProducerBatch[] } {
  const sent: ProducerBatch[] = [];
  const producer = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    sendBatch: async (batch: ProducerBatch) => {
      sent.push(batch);
      return [];
    },
  };
  return { kafka: { producer: () => producer } as unknown as Kafka, sent };
}

class MemoryCheckpoints implements RelayCheckpoints {
  readonly saved: number[] = [];
  async load(): Promise<number> {
    return this.saved.at(-1) ?? 0;
  }
  async save(_name: string, position: number): Promise<void> {
    this.saved.push(position);
  }
  async close(): Promise<void> {}
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!condition()) throw new Error('timed out');
}

const messagesOf = (batch: ProducerBatch) => (batch.topicMessages ?? []).flatMap((t) => t.messages);
const bytesOf = (batch: ProducerBatch) => messagesOf(batch).reduce((sum, m) => sum + Buffer.byteLength(m.value as string), 0);

describe('OutboundRelay batches', () => {
  it('caps a request by bytes as well as by count, so the broker never refuses it as too large; every event is sent once, in order', async () => {
    const store = new InMemoryEventStore();
    // 40 events of about 100 KB each (a long reply text): 4 MB, four times a broker's default message.max.bytes
    const text = '回复'.repeat(17_000);
    const stored: string[] = [];
    for (let i = 0; i < 40; i++) {
      const id = randomUUID();
      stored.push(id);
      await store.append(`complaint-c${i}`, [{ id, type: 'CustomerContacted', data: { note: text, i }, metadata: {} }], { expectedRevision: 'no_stream' });
    }
    const { kafka, sent } = recordingKafka();
    const checkpoints = new MemoryCheckpoints();
    const relay = new OutboundRelay(kafka, store, checkpoints, TOPICS, pino({ level: 'silent' }), undefined, { batchSize: 500, maxBatchBytes: 512 * 1024 });
    await relay.start();
    try {
      await until(() => relay.current().position === 40);
    } finally {
      await relay.stop();
    }

    expect(sent.length).toBeGreaterThanOrEqual(8);
    for (const batch of sent) expect(bytesOf(batch)).toBeLessThanOrEqual(512 * 1024);
    const ids = sent.flatMap(messagesOf).map((m) => (m.headers as Record<string, string>)['event-id']);
    expect(ids).toEqual(stored);
    // the checkpoint moves once per acknowledged request, to its last event
    expect(checkpoints.saved).toHaveLength(sent.length);
    expect(checkpoints.saved.at(-1)).toBe(40);
  });

  it('sends an event bigger than the cap alone rather than never', async () => {
    const store = new InMemoryEventStore();
    const [big, small] = [randomUUID(), randomUUID()];
    await store.append('complaint-big', [{ id: big, type: 'CustomerContacted', data: { note: 'x'.repeat(20_000) }, metadata: {} }], { expectedRevision: 'no_stream' });
    await store.append('complaint-small', [{ id: small, type: 'CustomerContacted', data: { note: 'y' }, metadata: {} }], { expectedRevision: 'no_stream' });
    const { kafka, sent } = recordingKafka();
    const relay = new OutboundRelay(kafka, store, new MemoryCheckpoints(), TOPICS, pino({ level: 'silent' }), undefined, { maxBatchBytes: 10_000 });
    await relay.start();
    try {
      await until(() => relay.current().position === 2);
    } finally {
      await relay.stop();
    }
    expect(sent.map((b) => messagesOf(b).map((m) => (m.headers as Record<string, string>)['event-id']))).toEqual([[big], [small]]);
  });
});
