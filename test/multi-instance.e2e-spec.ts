import { mkdtempSync, rmSync } from 'fs';
import { Client } from 'pg';
import { tmpdir } from 'os';
import { join } from 'path';
import { kafkaTopics } from '../apps/api/src/kafka/kafka-topics';
import { PrincipalToSign, TokenService } from '../apps/api/src/platform/auth';
import { DEVELOPMENT_JWT_SECRET } from '../apps/api/src/platform/config/app-config';
import { complaintBody, people } from './support/api-server';
import { ensureSharedBroker, eventually, freePort, readTopic, ServerProcess, uniquePrefix } from './support/kafka';
import { createTestDatabase, TestDatabase } from './support/postgres-database';

jest.setTimeout(180_000);

const tokens = new TokenService(DEVELOPMENT_JWT_SECRET);
/** SIGKILL of the lease holder: the other instance must have taken its work over within this */
const HANDOVER_MS = 15_000;
const T0 = '2026-11-02T01:00:00.000Z';

interface Response {
  status: number;
  etag: string | null;
  body: any;
}

/** One compiled server process (`npm run build` first) on the test's PostgreSQL database. */
class Instance {
  private constructor(
    readonly name: string,
    readonly server: ServerProcess,
  ) {}

  static async start(name: string, database: TestDatabase, dataDir: string, env: Record<string, string> = {}): Promise<Instance> {
    const server = await ServerProcess.start({ DATABASE_URL: database.url, DATA_DIR: dataDir, COMPLAINTS_TEST_CLOCK: '1', ...env }, await freePort());
    return new Instance(name, server);
  }

  async call(method: string, path: string, as: PrincipalToSign, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const response = await fetch(`${this.server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens.sign(as, { expiresIn: '1h' })}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, etag: response.headers.get('etag'), body: text ? JSON.parse(text) : undefined };
  }

  async register(overrides: Record<string, unknown> = {}): Promise<string> {
    const registered = await this.call('POST', '/api/complaints', people.agentZG, complaintBody(overrides));
    expect(registered.status).toBe(201);
    return registered.body.id as string;
  }

  async dispatch(id: string): Promise<void> {
    expect((await this.call('POST', `/api/complaints/${id}/dispatch`, people.agentZG, { department: 'billing-center' })).status).toBe(201);
  }

  async moveClock(body: { now: string } | { advanceMinutes: number }): Promise<number> {
    const moved = await this.call('POST', '/api/test/clock', people.admin, body);
    expect(moved.status).toBe(200);
    return moved.body.deadlinesFired as number;
  }

  async eventTypes(id: string): Promise<string[]> {
    const history = await this.call('GET', `/api/complaints/${id}/history`, people.agentZG);
    expect(history.status).toBe(200);
    return (history.body.events as { type: string }[]).map((e) => e.type);
  }

  /** the leases this instance says it holds (the `leases` check of /health) */
  async leasesHeld(): Promise<string[]> {
    const health = JSON.parse((await this.server.get('/health')).text) as { checks: Record<string, { detail?: string }> };
    const detail = health.checks.leases?.detail ?? '';
    const held = /held here: ([^;]*)/.exec(detail)?.[1] ?? 'none';
    return held === 'none' ? [] : held.split(', ').sort();
  }

  kill(): Promise<void> {
    return this.server.kill('SIGKILL');
  }
}

const count = (types: string[], type: string) => types.filter((t) => t === type).length;

describe('several instances on one PostgreSQL database', () => {
  let database: TestDatabase;
  const instances: Instance[] = [];
  const dataDirs: string[] = [];

  /** a fresh database for each test, and instances on it with DATA_DIRs of their own (nothing is shared through files) */
  const start = async (name: string, env: Record<string, string> = {}) => {
    const dataDir = mkdtempSync(join(tmpdir(), `complaints-${name}-`));
    dataDirs.push(dataDir);
    const instance = await Instance.start(name, database, dataDir, env);
    instances.push(instance);
    return instance;
  };
  const sql = async <T>(text: string, values: unknown[] = []): Promise<T[]> => {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query(text, values)).rows as T[];
    } finally {
      await client.end();
    }
  };

  beforeEach(async () => {
    database = await createTestDatabase('multi');
  });

  afterEach(async () => {
    for (const instance of instances.splice(0)) await instance.kill();
    for (const dir of dataDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    await database.drop();
  });

  it('runs the projections and the scheduler once, reads its own writes on every instance, and answers one of two racing commands with 412', async () => {
    const a = await start('a');
    const b = await start('b');
    // the first to start holds the background work; the other serves requests only
    expect(await a.leasesHeld()).toEqual(['deadline-scheduler', 'projections']);
    expect(await b.leasesHeld()).toEqual([]);

    // read your writes on both: B's queries wait for A's runner to project B's commands
    const id = await b.register();
    expect((await b.call('GET', `/api/complaints?msisdn=13812345678`, people.agentZG)).body.items.map((c: { id: string }) => c.id)).toEqual([id]);
    const fromA = await a.register({ customer: { msisdn: '13912345678', name: '李四', vip: false, groupCustomer: false, accountType: 'personal' } });
    expect((await b.call('GET', `/api/complaints?msisdn=13912345678`, people.agentZG)).body.items.map((c: { id: string }) => c.id)).toEqual([fromA]);

    // the same revision expected by two instances at once: one wins, the other is told someone changed it
    const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).register()));
    const races = await Promise.all(
      ids.map(async (complaint) => {
        const { etag } = await a.call('GET', `/api/complaints/${complaint}`, people.agentZG);
        const [onA, onB] = await Promise.all([
          a.call('POST', `/api/complaints/${complaint}/dispatch`, people.agentZG, { department: 'billing-center' }, { 'if-match': etag! }),
          b.call('POST', `/api/complaints/${complaint}/escalate`, people.agentZG, { reason: 'the customer called again' }, { 'if-match': etag! }),
        ]);
        return { complaint, outcomes: [onA.status, onB.status].map((status) => (status === 412 ? 412 : status < 300 ? 'ok' : status)) };
      }),
    );
    // dispatch answers 201, escalate 200: which of the two won is a matter of timing
    for (const race of races) expect(race.outcomes.sort()).toEqual([412, 'ok']);
    // nothing lost, nothing half-written: each complaint has the winner's events and none of the loser's
    for (const { complaint } of races) {
      const types = await b.eventTypes(complaint);
      expect(count(types, 'WorkOrderDispatched') + count(types, 'ComplaintEscalated')).toBe(1);
    }

    // the same request with the same Idempotency-Key sent to both at once registers one complaint, and both answer it
    const retried = await Promise.all([a, b].map((instance) => instance.call('POST', '/api/complaints', people.agentZG, complaintBody(), { 'idempotency-key': 'twice-at-once' })));
    expect(retried.map((r) => r.status)).toEqual([201, 201]);
    expect(retried[1].body.id).toBe(retried[0].body.id);
    expect(await sql(`SELECT count(*)::int AS n FROM event_store.events WHERE type = 'ComplaintRegistered'`)).toEqual([{ n: 2 + 10 + 1 }]);
  });

  it('fires every deadline once while both instances fire what their clocks make due, at the same moment', async () => {
    const [a, b] = [await start('a'), await start('b')];
    await Promise.all([a.moveClock({ now: T0 }), b.moveClock({ now: T0 })]);
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const instance = i % 2 ? a : b;
      const id = await instance.register();
      await instance.dispatch(id);
      ids.push(id);
    }

    // both clocks jump past the hour together: both fire every due deadline, racing for each one
    const fired = await Promise.all([a.moveClock({ advanceMinutes: 61 }), b.moveClock({ advanceMinutes: 61 })]);
    expect(fired[0] + fired[1]).toBe(ids.length * 3); // per work order: warnings at 50% and 80%, the due time
    for (const id of ids) {
      const types = await a.eventTypes(id);
      expect([count(types, 'ClockWarningReached'), count(types, 'WorkOrderReplyOverdue'), count(types, 'ComplaintEscalated')]).toEqual([2, 1, 1]);
    }
    // and again: nothing more fires
    expect(await Promise.all([a.moveClock({ advanceMinutes: 1 }), b.moveClock({ advanceMinutes: 1 })])).toEqual([0, 0]);
  });

  it('hands the projections and the scheduler to the other instance within 15 s of a SIGKILL, losing and doubling nothing', async () => {
    const a = await start('a');
    const b = await start('b');
    expect(await a.leasesHeld()).toEqual(['deadline-scheduler', 'projections']);

    // B's clock is past the hour already; A's runs from T0 (neither has written anything yet)
    await b.moveClock({ now: '2026-11-02T02:01:00.000Z' });
    await a.moveClock({ now: T0 });
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const id = await a.register();
      await a.dispatch(id);
      ids.push(id);
    }
    // half an hour on A: the 50% warnings fire there; the rest is due when A dies
    expect(await a.moveClock({ advanceMinutes: 31 })).toBe(ids.length);
    // commands on B while A holds everything; a burst of them is in flight when A is killed
    const beforeKill = await Promise.all(Array.from({ length: 5 }, () => b.register({ customer: { msisdn: '13700000000', name: '王五', vip: false, groupCustomer: false, accountType: 'personal' } })));
    const inFlight = Array.from({ length: 5 }, () => b.register({ customer: { msisdn: '13700000000', name: '王五', vip: false, groupCustomer: false, accountType: 'personal' } }));

    const killedAt = Date.now();
    await a.kill();

    // B takes the leases over: its scheduler's first round fires what came due by its clock, its runner goes on projecting
    await eventually(async () => (await b.leasesHeld()).length === 2, HANDOVER_MS, () => 'B did not take the leases over');
    const tookOverMs = Date.now() - killedAt;
    console.log(`B held the projections and the deadline scheduler ${tookOverMs} ms after A was SIGKILLed`);
    expect(await b.leasesHeld()).toEqual(['deadline-scheduler', 'projections']);
    await eventually(
      async () => {
        for (const id of ids) if (count(await b.eventTypes(id), 'WorkOrderReplyOverdue') === 0) return false;
        return true;
      },
      HANDOVER_MS - tookOverMs,
      () => 'the deadlines due by B’s clock did not fire',
    );
    const afterKill = await Promise.all(inFlight);
    const later = await b.register({ customer: { msisdn: '13700000000', name: '王五', vip: false, groupCustomer: false, accountType: 'personal' } });

    // every deadline fired once, across the two holders
    for (const id of ids) {
      const types = await b.eventTypes(id);
      expect([count(types, 'ClockWarningReached'), count(types, 'WorkOrderReplyOverdue'), count(types, 'ComplaintEscalated')]).toEqual([2, 1, 1]);
    }
    // B's runner projected what A left behind and what came since: every registration is in the read models, once
    const search = await b.call('GET', `/api/complaints?msisdn=13700000000&limit=50`, people.agentZG);
    expect(search.body.items.map((c: { id: string }) => c.id).sort()).toEqual([...beforeKill, ...afterKill, later].sort());
    const [log] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM event_store.events WHERE type = 'ComplaintRegistered'`);
    const [rows] = await sql<{ n: number }>('SELECT count(*)::int AS n FROM read_models.complaints');
    expect(rows.n).toBe(log.n);
    const [escalations] = await sql<{ n: number }>('SELECT count(*)::int AS n FROM read_models.escalations');
    const [escalated] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM event_store.events WHERE type = 'ComplaintEscalated'`);
    expect(escalations.n).toBe(escalated.n);
    // the checkpoints are at the head of the log, and no deadline due by B's clock is left
    const [head] = await sql<{ position: number }>('SELECT position::int FROM event_store.events_head');
    await eventually(
      async () => (await sql<{ position: number }>('SELECT position::int FROM read_models.projection_checkpoints')).every((c) => c.position === head.position),
      5_000,
      () => 'the checkpoints did not reach the head',
    );
    expect(await sql(`SELECT id FROM read_models.deadlines WHERE fire_at <= '2026-11-02T02:01:00.000Z'`)).toEqual([]);
  });

  it('hands the Kafka relay over with the checkpoint: every event reaches the topic, in order per complaint', async () => {
    const brokers = await ensureSharedBroker();
    const prefix = uniquePrefix('multi');
    const env = { KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix, KAFKA_GROUP_ID: `${prefix}group` };
    const a = await start('a', env);
    const b = await start('b', env);
    expect(await a.leasesHeld()).toEqual(['deadline-scheduler', 'kafka-relay', 'projections']);
    expect(await b.leasesHeld()).toEqual([]);

    for (let i = 0; i < 10; i++) await (i % 2 ? a : b).register();
    const head = async () => (await sql<{ position: number }>('SELECT position::int FROM event_store.events_head'))[0].position;
    const relayed = async () => (await sql<{ position: number }>(`SELECT position::int FROM read_models.kafka_relay_checkpoints`))[0]?.position ?? 0;
    await eventually(async () => (await relayed()) === (await head()), 10_000, () => 'A did not relay the first registrations');

    const burst = Array.from({ length: 10 }, () => b.register());
    await a.kill();
    const killedAt = Date.now();
    await Promise.all(burst);
    await eventually(async () => (await b.leasesHeld()).includes('kafka-relay'), HANDOVER_MS, () => 'B did not take the relay over');
    console.log(`B held the Kafka relay ${Date.now() - killedAt} ms after A was SIGKILLed`);
    for (let i = 0; i < 5; i++) await b.register();
    await eventually(async () => (await relayed()) === (await head()), 20_000, () => 'B did not relay the rest');

    const log = await sql<{ event_id: string; stream_id: string; position: number }>('SELECT event_id, stream_id, position::int FROM event_store.events ORDER BY position');
    const messages = await readTopic(brokers, kafkaTopics(prefix).complaintEvents, (m) => new Set(m.map((x) => x.headers['event-id'])).size >= log.length);
    // at-least-once: a batch A sent but did not record may come again; once seen ids are dropped, it is the log exactly
    const firstSeen = new Map<string, number>();
    for (const m of messages) if (!firstSeen.has(m.headers['event-id'])) firstSeen.set(m.headers['event-id'], firstSeen.size);
    expect([...firstSeen.keys()].sort()).toEqual(log.map((e) => e.event_id).sort());
    const byStream = new Map<string, string[]>();
    for (const e of log) byStream.set(e.stream_id, [...(byStream.get(e.stream_id) ?? []), e.event_id]);
    for (const events of byStream.values()) {
      const order = events.map((id) => firstSeen.get(id)!);
      expect(order).toEqual([...order].sort((x, y) => x - y));
    }
  });
});
