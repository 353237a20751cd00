import { mkdtempSync, rmSync } from 'fs';
import { Producer } from 'kafkajs';
import { tmpdir } from 'os';
import { join } from 'path';
import { callcenterTraffic } from '../apps/api/src/kafka/callcenter-traffic';
import { kafkaTopics } from '../apps/api/src/kafka/kafka-topics';
import { ensureSharedBroker, eventually, freePort, PrivateBroker, readTopic, ReadMessage, registrationsIn, ServerProcess, testProducer, uniquePrefix } from './support/kafka';

jest.setTimeout(240_000);

/** Exactly one ComplaintRegistered per ticket on complaints.events.v1, once redeliveries are dropped by their event-id header. */
function registrationsPublished(messages: ReadMessage[]): { raw: number; distinct: Map<string, unknown> } {
  const seen = new Map<string, unknown>();
  let raw = 0;
  for (const m of messages) {
    if (m.headers['event-type'] !== 'ComplaintRegistered') continue;
    raw++;
    if (!seen.has(m.headers['event-id'])) seen.set(m.headers['event-id'], JSON.parse(m.value).data.externalRef);
  }
  return { raw, distinct: seen };
}

function tickets(prefix: string, count: number) {
  const traffic = [...callcenterTraffic({ count, duplicates: 0.05, malformed: 0, ticketPrefix: prefix, seed: prefix })];
  return { messages: traffic.map((m) => ({ key: m.key, value: m.value })), distinct: new Set(traffic.map((m) => m.key)) };
}

describe('the 10086 integration when things break', () => {
  const dataDirs: string[] = [];
  const servers: ServerProcess[] = [];
  const newDataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'complaints-kafka-recovery-'));
    dataDirs.push(dir);
    return dir;
  };
  const startServer = async (env: Record<string, string>, port: number) => {
    const server = await ServerProcess.start(env, port);
    servers.push(server);
    return server;
  };

  afterAll(async () => {
    for (const server of servers) await server.kill();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('loses nothing and doubles nothing when the server is SIGKILLed in the middle of a batch', async () => {
    const brokers = await ensureSharedBroker();
    const prefix = uniquePrefix('sigkill');
    const topics = kafkaTopics(prefix);
    const { messages, distinct } = tickets(`${prefix}K-`, 3_000);
    const producer = await testProducer(brokers);
    // the whole stream waits on the broker before the server starts: it consumes in big batches
    await producer.send({ topic: topics.callcenterComplaints, acks: -1, messages });
    await producer.disconnect();

    const dataDir = newDataDir();
    const port = await freePort();
    const env = { KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix, KAFKA_GROUP_ID: `${prefix}group`, DATA_DIR: dataDir };
    let server = await startServer(env, port);
    await eventually(() => registrationsIn(dataDir).events >= distinct.size / 4, 60_000, () => JSON.stringify(registrationsIn(dataDir)), 10);
    await server.kill('SIGKILL');
    const atKill = registrationsIn(dataDir).events;
    expect(atKill).toBeLessThan(distinct.size); // killed in the middle

    server = await startServer(env, port);
    await eventually(() => registrationsIn(dataDir).events >= distinct.size, 90_000, () => JSON.stringify(registrationsIn(dataDir)));
    await eventually(async () => /complaints_kafka_relay_lag_events 0\b/.test((await server.get('/metrics')).text), 30_000, () => 'the relay did not catch up');
    expect(registrationsIn(dataDir)).toEqual({ events: distinct.size, tickets: distinct.size });

    const published = await readTopic(brokers, topics.complaintEvents, (ms) => registrationsPublished(ms).distinct.size >= distinct.size, 60_000);
    const { raw, distinct: byEventId } = registrationsPublished(published);
    expect(byEventId.size).toBe(distinct.size);
    expect(new Set(byEventId.values())).toEqual(distinct);
    const redelivered = /complaints_kafka_consumed_total\{outcome="duplicate"\} (\d+)/.exec((await server.get('/metrics')).text)?.[1] ?? '0';
    process.stderr.write(
      `SIGKILL at ${atKill} of ${distinct.size} registrations; after the restart ${redelivered} messages were found registered already ` +
        `(redeliveries and the stream's own duplicates); ${raw - byEventId.size} registrations published twice and dropped by event-id\n`,
    );
    await server.kill('SIGTERM');
  });

  it('loses nothing and doubles nothing when the broker is stopped and restarted in the middle of a stream', async () => {
    const broker = await PrivateBroker.create();
    let producer: Producer | undefined;
    try {
      broker.start();
      const prefix = uniquePrefix('restart');
      const topics = kafkaTopics(prefix);
      const { messages, distinct } = tickets(`${prefix}R-`, 1_500);
      const dataDir = newDataDir();
      const server = await startServer({ KAFKA_BROKERS: broker.brokers, KAFKA_TOPIC_PREFIX: prefix, KAFKA_GROUP_ID: `${prefix}group`, DATA_DIR: dataDir }, await freePort());
      await eventually(async () => JSON.parse((await server.get('/health')).text).checks.kafka.status === 'ok', 60_000, () => 'Kafka never got healthy');

      // 10086 sends a steady stream; its producer waits out the broker's absence and goes on
      producer = await testProducer(broker.brokers);
      const sending = producer;
      let sent = 0;
      const stream = (async () => {
        for (let i = 0; i < messages.length; i += 50) {
          await sending.send({ topic: topics.callcenterComplaints, acks: -1, messages: messages.slice(i, i + 50) });
          sent = i + 50;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })();
      await eventually(() => registrationsIn(dataDir).events >= distinct.size / 3, 60_000, () => JSON.stringify(registrationsIn(dataDir)), 20);
      broker.stop();
      const atStop = { sent, registered: registrationsIn(dataDir).events };
      expect(atStop.sent).toBeLessThan(messages.length);
      const health = JSON.parse((await server.get('/health')).text);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      broker.start();

      await stream;
      await eventually(() => registrationsIn(dataDir).events >= distinct.size, 120_000, () => JSON.stringify(registrationsIn(dataDir)));
      expect(registrationsIn(dataDir)).toEqual({ events: distinct.size, tickets: distinct.size });
      await eventually(async () => JSON.parse((await server.get('/health')).text).checks.kafka.status === 'ok', 60_000, () => 'Kafka did not recover on /health');

      const published = await readTopic(broker.brokers, topics.complaintEvents, (ms) => registrationsPublished(ms).distinct.size >= distinct.size, 90_000);
      const { raw, distinct: byEventId } = registrationsPublished(published);
      expect(new Set(byEventId.values())).toEqual(distinct);
      process.stderr.write(
        `broker stopped at ${atStop.sent} sent / ${atStop.registered} registered of ${distinct.size} (health then: ${health.checks.kafka.status}); ${raw - byEventId.size} published twice\n`,
      );
      await server.kill('SIGTERM');
    } finally {
      // a producer left connected would keep retrying, and jest from exiting
      await producer?.disconnect().catch(() => undefined);
      broker.destroy();
    }
  });
});
