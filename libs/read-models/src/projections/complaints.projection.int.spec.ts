import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { ComplaintCommand, complaintDecider, ComplaintEvent, ComplaintState } from '@complaints/domain';
import { RecordedEvent } from '@complaints/event-store';
import { departmentQueue, deskQueue } from '../queries/queues.query';
import { statsSummary } from '../queries/stats.query';
import { ComplaintsProjection } from './complaints.projection';
import { ReadModelTables } from './read-model.tables';
import { comparableRow } from './test/random-history.fixture';

const decider = complaintDecider();
const T = (hhmm: string, day = 27) => `2026-11-${day}T${hhmm}:00.000Z`;

/** Runs commands through the decider and records the events as the store would. */
class History {
  readonly events: RecordedEvent[] = [];
  private readonly states = new Map<string, ComplaintState>();
  private readonly revisions = new Map<string, number>();

  run(complaintId: string, type: ComplaintCommand['type'], data: Record<string, unknown>, now: string, actor = 'desk-007'): void {
    const state = this.states.get(complaintId) ?? decider.initialState();
    const command = { type, data: { complaintId, ...data }, context: { now, actor } } as ComplaintCommand;
    const decided: ComplaintEvent[] = decider.decide(command, state);
    let next = state;
    for (const event of decided) {
      next = decider.evolve(next, event);
      const revision = (this.revisions.get(complaintId) ?? 0) + 1;
      this.revisions.set(complaintId, revision);
      this.events.push({
        id: `e${this.events.length + 1}`,
        streamId: `complaint-${complaintId}`,
        type: event.type,
        data: event.data,
        metadata: { actor, occurredAt: now },
        revision,
        position: this.events.length + 1,
        recordedAt: now,
      });
    }
    this.states.set(complaintId, next);
  }
}

function register(history: History, id: string, now: string, overrides: Record<string, unknown> = {}) {
  history.run(
    id,
    'RegisterComplaint',
    {
      channel: 'business_hall',
      customer: { msisdn: '13812345678', vip: false, groupCustomer: false, accountType: 'personal' },
      branch: 'ZG',
      category: 'billing',
      subcategory: '双重扣费',
      description: 'charged twice',
      priorComplaints: 0,
      ...overrides,
    },
    now,
  );
}

/** c1: dispatched, forwarded, replied late by the second department, answered, archived. c2: VIP, still open. */
function aDay(): History {
  const h = new History();
  register(h, 'c1', T('01:00'));
  h.run('c1', 'DispatchWorkOrder', { workOrderId: 'c1.w1', department: 'billing-center' }, T('01:05'));
  h.run('c1', 'ForwardWorkOrder', { workOrderId: 'c1.w1', department: 'support', reason: 'rating' }, T('01:35'), 'billing-01');
  register(h, 'c2', T('01:40'), { customer: { msisdn: '13900000000', vip: true, groupCustomer: false, accountType: 'personal' }, category: 'network' });
  h.run('c1', 'ReplyToWorkOrder', { workOrderId: 'c1.w1', opinion: 'fixed', resolved: true }, T('02:50'), 'support-01');
  h.run('c1', 'ReplyToCustomer', { method: 'phone', content: 'credited' }, T('03:00'));
  h.run('c1', 'RecordSatisfaction', { satisfied: true }, T('03:01'));
  h.run('c1', 'ArchiveComplaint', {}, T('03:02'));
  return h;
}

/**
 * c3: an unsatisfied customer reopens it (its resolution goes, then a second
 * work order brings another), escalated, refunded; c4 resolved on the spot.
 */
function twoCycles(): History {
  const h = aDay();
  register(h, 'c3', T('04:00'));
  h.run('c3', 'DispatchWorkOrder', { workOrderId: 'c3.w1', department: 'billing-center' }, T('04:05'));
  register(h, 'c4', T('04:06'), { customer: { msisdn: '13700000000', vip: false, groupCustomer: false, accountType: 'personal' } });
  h.run('c3', 'ReplyToWorkOrder', { workOrderId: 'c3.w1', opinion: 'credited', resolved: true }, T('04:30'), 'billing-01');
  h.run('c4', 'ResolveOnSite', { resolution: 'explained the bill' }, T('04:31'));
  h.run('c3', 'ReplyToCustomer', { method: 'phone', content: 'credited' }, T('04:40'));
  h.run('c3', 'RecordSatisfaction', { satisfied: false, comment: 'not the whole amount' }, T('04:45'));
  h.run('c3', 'DispatchWorkOrder', { workOrderId: 'c3.w2', department: 'billing-center' }, T('04:50'));
  h.run('c3', 'ReplyToWorkOrder', { workOrderId: 'c3.w2', opinion: 'credited the rest', resolved: true }, T('05:20'), 'billing-01');
  h.run('c3', 'ReplyToCustomer', { method: 'phone', content: 'all credited' }, T('05:30'));
  h.run('c3', 'RecordSatisfaction', { satisfied: true }, T('05:35'));
  h.run('c4', 'RecordSatisfaction', { satisfied: true }, T('05:36'));
  h.run('c3', 'ArchiveComplaint', {}, T('05:40'));
  return h;
}

async function dump(db: Kysely<ReadModelTables>) {
  const tables = ['complaints', 'complaint_states', 'complaint_timeline', 'work_order_hops', 'refunds', 'escalations', 'deadlines'] as const;
  const order = { complaints: 'id', complaint_states: 'id', complaint_timeline: 'position', work_order_hops: 'work_order_id', refunds: 'id', escalations: 'complaint_id', deadlines: 'id' } as const;
  const out: Record<string, unknown[]> = {};
  for (const table of tables) out[table] = (await db.selectFrom(table).selectAll().orderBy(order[table]).execute()).map((row) => comparableRow(table, row));
  return out;
}

describe('the complaints projection', () => {
  let db: Kysely<ReadModelTables>;
  const projection = new ComplaintsProjection();

  beforeEach(async () => {
    db = new Kysely<ReadModelTables>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
    await projection.migrate(db);
  });

  afterEach(() => db.destroy());

  const apply = (events: RecordedEvent[]) => db.transaction().execute((trx) => projection.apply(trx, events));

  it('given a day of events, then the rows the queues and statistics read', async () => {
    await apply(aDay().events);
    const c1 = await db.selectFrom('complaints').selectAll().where('id', '=', 'c1').executeTakeFirstOrThrow();
    expect(c1).toMatchObject({ status: 'archived', open: 0, forwards: 1, work_orders: 1, satisfied: 1, registered_by: 'desk-007', answered_at: T('03:00') });
    const hops = await db.selectFrom('work_order_hops').selectAll().orderBy('hop').execute();
    expect(hops.map((h) => [h.department, h.outcome, h.on_time, h.handling_seconds])).toEqual([
      ['billing-center', 'forwarded', 1, 30 * 60],
      ['support', 'replied', 0, 75 * 60],
    ]);
  });

  it('replaying every event a second time changes nothing', async () => {
    const { events } = twoCycles();
    await apply(events);
    const once = await dump(db);
    await apply(events);
    for (const event of events) await apply([event]);
    expect(await dump(db)).toEqual(once);
  });

  it('one batch, or one event at a time, give the same read model', async () => {
    const { events } = twoCycles();
    await apply(events);
    const whole = await dump(db);
    await db.transaction().execute((trx) => projection.reset(trx));
    for (const event of events) await apply([event]);
    expect(await dump(db)).toEqual(whole);
  });

  it('with the runner\'s context (complaints kept in memory between batches), in any batches: the same rows, byte for byte', async () => {
    const { events } = twoCycles();
    await apply(events);
    const whole = await dump(db);

    for (const size of [1, 2, 3, 5, 8]) {
      const cached = new ComplaintsProjection();
      await db.transaction().execute((trx) => cached.reset(trx));
      const session = {};
      let checkpoint = 0;
      for (let i = 0; i < events.length; i += size) {
        const batch = events.slice(i, i + size);
        await db.transaction().execute((trx) => cached.apply(trx, batch, { checkpoint, session }));
        checkpoint = batch[batch.length - 1].position;
      }
      expect(await dump(db)).toEqual(whole);
    }
  });

  it('forgets what it kept when its last batch did not commit, or the checkpoint moved without it', async () => {
    const { events } = twoCycles();
    const [first, second, third, fourth] = [events.slice(0, 4), events.slice(4, 16), events.slice(16, 20), events.slice(20)];
    await apply([...first, ...second]);
    const afterSecond = await dump(db);
    await apply([...third, ...fourth]);
    const whole = await dump(db);
    await db.transaction().execute((trx) => projection.reset(trx));

    const cached = new ComplaintsProjection();
    const session = {};
    await db.transaction().execute((trx) => cached.apply(trx, first, { checkpoint: 0, session }));
    // the runner's transaction rolls back after the projection applied the batch (another projection failed)
    await expect(
      db.transaction().execute(async (trx) => {
        await cached.apply(trx, second, { checkpoint: 4, session });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await db.transaction().execute((trx) => cached.apply(trx, second, { checkpoint: 4, session }));
    expect(await dump(db)).toEqual(afterSecond);
    // another runner applies the third batch; this one finds the checkpoint further on
    await db.transaction().execute((trx) => new ComplaintsProjection().apply(trx, third, { checkpoint: 16, session: {} }));
    await db.transaction().execute((trx) => cached.apply(trx, fourth, { checkpoint: 20, session }));
    expect(await dump(db)).toEqual(whole);
  });

  it('asOf: the desk queue as it stood at a past instant', async () => {
    await apply(aDay().events);
    const now = new Date(T('04:00'));
    expect((await deskQueue(db, { branch: 'ZG', now, limit: 50 })).map((c) => c.complaintId)).toEqual(['c2']);
    const at0130 = await deskQueue(db, { branch: 'ZG', now, asOf: new Date(T('01:30')), limit: 50 });
    expect(at0130.map((c) => [c.complaintId, c.status])).toEqual([['c1', 'dispatched']]);
    const at0245 = await deskQueue(db, { branch: 'ZG', now, asOf: new Date(T('02:45')), limit: 50 });
    expect(at0245.map((c) => c.complaintId)).toEqual(['c2', 'c1']); // the VIP first
    const held = await departmentQueue(db, { department: 'support', now, asOf: new Date(T('02:45')), limit: 50 });
    expect(held.map((h) => [h.workOrderId, h.overdue])).toEqual([['c1.w1', true]]);
    expect(await departmentQueue(db, { department: 'support', now, limit: 50 })).toEqual([]);
  });

  it('1-hour compliance is charged per hop to the department that held it', async () => {
    await apply(aDay().events);
    const stats = await statsSummary(db, { from: new Date(T('00:00')), to: new Date(T('00:00', 28)), asOf: new Date(T('04:00')) });
    expect(stats.registered).toBe(2);
    expect(stats.byDepartment.map((d) => [d.department, d.received, d.onTime, d.judged])).toEqual([
      ['billing-center', 1, 1, 1],
      ['support', 1, 0, 1],
    ]);
    expect(stats.replyCompliance).toEqual({ judged: 2, onTime: 1, rate: 0.5 });
    const early = await statsSummary(db, { from: new Date(T('00:00')), to: new Date(T('00:00', 28)), asOf: new Date(T('01:36')) });
    expect(early.registered).toBe(1);
    expect(early.byDepartment.map((d) => [d.department, d.onTime, d.judged])).toEqual([
      ['billing-center', 1, 1],
      ['support', 0, 0],
    ]);
  });
});
