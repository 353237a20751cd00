import { mkdtempSync, rmSync } from 'fs';
import { Producer } from 'kafkajs';
import { tmpdir } from 'os';
import { join } from 'path';
import { TokenService } from '../apps/api/src/platform/auth';
import { DEVELOPMENT_JWT_SECRET } from '../apps/api/src/platform/config/app-config';
import { callcenterTraffic } from '../apps/api/src/kafka/callcenter-traffic';
import { kafkaTopics } from '../apps/api/src/kafka/kafka-topics';
import { ensureSharedBroker, eventually, freePort, readTopic, ReadMessage, registrationsIn, ServerProcess, testProducer, uniquePrefix } from './support/kafka';

jest.setTimeout(180_000);

/** The 10086 integration against the real broker: the server of `npm start` in a child process, topics of this run. */
describe('the 10086 call center over Kafka', () => {
  const prefix = uniquePrefix('callcenter');
  const topics = kafkaTopics(prefix);
  const dataDir = mkdtempSync(join(tmpdir(), 'complaints-kafka-e2e-'));
  const tokens = new TokenService(DEVELOPMENT_JWT_SECRET);
  let brokers: string;
  let server: ServerProcess;
  let producer: Producer;

  beforeAll(async () => {
    brokers = await ensureSharedBroker();
    server = await ServerProcess.start({ KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix, KAFKA_GROUP_ID: `${prefix}group`, DATA_DIR: dataDir }, await freePort());
    producer = await testProducer(brokers);
  });

  afterAll(async () => {
    await producer?.disconnect();
    await server?.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  const send = (messages: { key: string | null; value: string; headers?: Record<string, string> }[]) =>
    producer.send({ topic: topics.callcenterComplaints, acks: -1, messages });

  const call = async (method: string, path: string, who: Parameters<TokenService['sign']>[0], body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens.sign(who, { expiresIn: '1h' })}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  const byEventId = (messages: ReadMessage[]) => new Map(messages.map((m) => [m.headers['event-id'], m]));

  it('registers every ticket once however often it is delivered, and publishes each registration on complaints.events.v1', async () => {
    const traffic = [...callcenterTraffic({ count: 400, duplicates: 0.2, malformed: 0, ticketPrefix: `${prefix}A-`, seed: 'dupes' })];
    const tickets = new Set(traffic.map((m) => m.key));
    // and every message a second time, much later: a replay of the whole stream
    await send(traffic.map((m) => ({ key: m.key, value: m.value })));
    await send(traffic.map((m) => ({ key: m.key, value: m.value })));
    expect(traffic.filter((m) => m.kind === 'duplicate').length).toBeGreaterThan(40);

    await eventually(() => registrationsIn(dataDir).events >= tickets.size, 60_000, () => JSON.stringify(registrationsIn(dataDir)));
    // the duplicates behind the last new ticket are handled too: the consumer's counter says when all 800 are
    await eventually(
      async () => /complaints_kafka_consumed_total\{outcome="duplicate"\} (\d+)/.exec((await server.get('/metrics')).text)?.[1] === String(800 - tickets.size),
      30_000,
      () => 'the duplicates were not all consumed',
    );
    expect(registrationsIn(dataDir)).toEqual({ events: tickets.size, tickets: tickets.size });

    const published = await readTopic(brokers, topics.complaintEvents, (ms) => new Set(ms.filter((m) => m.headers['event-type'] === 'ComplaintRegistered').map((m) => m.key)).size >= tickets.size);
    const registrations = [...byEventId(published).values()].map((m) => JSON.parse(m.value)).filter((e) => e.type === 'ComplaintRegistered');
    expect(registrations).toHaveLength(tickets.size);
    expect(new Set(registrations.map((e) => e.data.externalRef))).toEqual(tickets);
    for (const e of registrations) {
      expect(e).toEqual(expect.objectContaining({ complaintId: expect.any(String), occurredAt: expect.any(String), position: expect.any(Number), data: expect.objectContaining({ channel: expect.stringMatching(/^(10086|green_net|gm_hotline|special)$/) }) }));
    }
    const first = published.find((m) => m.headers['event-type'] === 'ComplaintRegistered')!;
    expect(first.key).toBe(JSON.parse(first.value).complaintId);
  });

  it('sends malformed messages to the DLQ with their reason and the original message, and goes on', async () => {
    const good = [...callcenterTraffic({ count: 3, duplicates: 0, malformed: 0, ticketPrefix: `${prefix}B-`, seed: 'good' })];
    const valid = JSON.parse(good[0].value);
    const bad = [
      { key: `${prefix}B-json`, value: '{"ticketNo": "B-json", "customer": {', why: /not JSON/ },
      { key: `${prefix}B-nomsisdn`, value: JSON.stringify({ ...valid, ticketNo: `${prefix}B-nomsisdn`, customer: { name: '王伟' } }), why: /customer\.msisdn: msisdn must be an 11-digit/ },
      { key: `${prefix}B-channel`, value: JSON.stringify({ ...valid, ticketNo: `${prefix}B-channel`, channel: 'business_hall', category: 'fees' }), why: /channel: .*\| category: |category: .*\| channel: / },
      { key: `${prefix}B-extra`, value: JSON.stringify({ ...valid, ticketNo: `${prefix}B-extra`, hall: 'ZG-01' }), why: /property hall should not exist/ },
      { key: `${prefix}B-array`, value: '[1,2,3]', why: /not an object/ },
    ];
    const before = registrationsIn(dataDir).events;
    await send([
      { key: good[0].key, value: good[0].value },
      ...bad.map((b) => ({ key: b.key, value: b.value, headers: { 'x-trace': b.key } })),
      { key: good[1].key, value: good[1].value },
      { key: good[2].key, value: good[2].value },
    ]);

    const dead = await readTopic(brokers, topics.callcenterDeadLetters, (ms) => ms.length >= bad.length, 60_000);
    expect(dead).toHaveLength(bad.length);
    for (const b of bad) {
      const letter = dead.find((m) => m.key === b.key)!;
      expect(letter).toBeDefined();
      expect(letter.value).toBe(b.value);
      expect(letter.headers['x-trace']).toBe(b.key);
      expect(letter.headers.error).toMatch(b.why);
      expect(Date.parse(letter.headers['failed-at'])).toBeGreaterThan(Date.now() - 120_000);
    }
    // the valid ones around them are registered: the consumer did not stop
    await eventually(() => registrationsIn(dataDir).events === before + 3, 30_000, () => JSON.stringify(registrationsIn(dataDir)));
  });

  it("tells the customer on customer.notifications.v1: the reply, the satisfaction SMS, the callback appointment", async () => {
    const [ticket] = [...callcenterTraffic({ count: 1, duplicates: 0, malformed: 0, ticketPrefix: `${prefix}C-`, seed: 'notify' })];
    const message = JSON.parse(ticket.value);
    await send([{ key: ticket.key, value: JSON.stringify({ ...message, category: 'billing', customer: { ...message.customer, msisdn: '13912345678' } }) }]);
    const callcenter = { sub: 'cc-agent-1', role: 'callcenter' as const };
    let complaint: any;
    await eventually(
      async () => {
        const found = await call('GET', `/api/complaints?msisdn=13912345678`, callcenter);
        complaint = found.body.items?.[0];
        return complaint !== undefined;
      },
      30_000,
      () => 'the complaint was not registered',
      200,
    );
    expect(complaint.channel).toBe(message.channel);
    const order = (await call('POST', `/api/complaints/${complaint.id}/dispatch`, callcenter, { department: 'billing-center' })).body;
    expect((await call('POST', `/api/work-orders/${order.id}/reply`, { sub: 'billing-01', role: 'handler', department: 'billing-center' }, { opinion: '已退还重复扣费。', resolved: true })).status).toBe(200);
    expect((await call('POST', `/api/complaints/${complaint.id}/customer-reply`, callcenter, { method: 'phone', content: '您反映的重复扣费30元已退还至话费账户。' })).status).toBe(200);
    expect((await call('POST', `/api/complaints/${complaint.id}/satisfaction`, callcenter, { satisfied: true })).status).toBe(200);
    expect((await call('POST', `/api/complaints/${complaint.id}/archive`, callcenter)).status).toBe(200);

    const told = (await readTopic(brokers, topics.customerNotifications, (ms) => ms.filter((m) => m.key === '13912345678').length >= 3)).filter((m) => m.key === '13912345678');
    const kinds = told.map((m) => JSON.parse(m.value));
    expect(kinds.map((n) => n.kind)).toEqual(['reply', 'satisfaction_survey', 'callback_appointment']);
    expect(kinds[0]).toEqual(expect.objectContaining({ complaintId: complaint.id, msisdn: '13912345678', method: 'phone', final: true, text: '您反映的重复扣费30元已退还至话费账户。' }));
    expect(kinds[1]).toEqual(expect.objectContaining({ method: 'sms', text: expect.stringContaining('评价') }));
    expect(kinds[2]).toEqual(expect.objectContaining({ method: 'sms', callbackId: expect.any(String), dueAt: expect.any(String) }));
    for (const m of told) expect(m.headers['notification-id']).toBe(`${m.headers['event-id']}:${JSON.parse(m.value).kind}`);

    // and the complaint's whole story on complaints.events.v1, in order
    const events = (await readTopic(brokers, topics.complaintEvents, (ms) => ms.some((m) => m.key === complaint.id && m.headers['event-type'] === 'CallbackScheduled'))).filter((m) => m.key === complaint.id);
    const positions = events.map((m) => JSON.parse(m.value).position);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(events.map((m) => m.headers['event-type'])).toEqual(expect.arrayContaining(['ComplaintRegistered', 'WorkOrderDispatched', 'WorkOrderReplied', 'CustomerReplied', 'SatisfactionRecorded', 'ComplaintArchived', 'CallbackScheduled']));
    expect(new Set(events.map((m) => m.partition)).size).toBe(1);
  });

  it('reports Kafka on /health and the lags on /metrics', async () => {
    const health = JSON.parse((await server.get('/health')).text);
    expect(health.checks.kafka).toEqual({ status: 'ok', detail: expect.stringMatching(/^consumer connected .*; relay running, lag \d+ events$/) });
    const metrics = (await server.get('/metrics')).text;
    expect(metrics).toMatch(new RegExp(`complaints_kafka_consumer_lag_messages\\{topic="${topics.callcenterComplaints.replace(/\./g, '\\.')}",partition="\\d"\\} \\d+`));
    expect(metrics).toMatch(/complaints_kafka_relay_lag_events \d+/);
    expect(metrics).toMatch(/complaints_kafka_consumed_total\{outcome="dead_lettered"\} 5/);
  });
});
