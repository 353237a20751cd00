import { chineseDaysPackageData } from '../apps/api/src/calendar/chinese-days.data';
import { ApiServer, complaintBody, people } from './support/api-server';

/** Queries that cannot be answered on the spot: 3 working days of the mainland China calendar, on the test clock. */
describe('customer queries (咨询) answered within 3 working days', () => {
  let api: ApiServer;
  const advance = (minutes: number) => api.call('POST', '/api/test/clock', { as: people.admin, body: { advanceMinutes: minutes } });
  const history = async (id: string) => (await api.call('GET', `/api/complaints/${id}/history`, { as: people.agentZG })).body.events as { type: string; data: any }[];
  const queryEvents = async (id: string) =>
    (await history(id)).filter((e) => e.type.startsWith('CustomerQuery') || (e.type === 'ClockWarningReached' && e.data.clock === 'query_answer'));

  beforeAll(async () => {
    api = await ApiServer.start({ env: { COMPLAINTS_TEST_CLOCK: '1' } });
    // Monday 2026-11-02, 09:00 in China
    await api.call('POST', '/api/test/clock', { as: people.admin, body: { now: '2026-11-02T01:00:00.000Z' } });
  });

  afterAll(async () => {
    await api.stop();
  });

  const register = async () => (await api.call('POST', '/api/complaints', { as: people.agentZG, body: complaintBody() })).body;

  it('is due at the end of the third working day; warns on the way; is recorded overdue at the due time, once; a late answer says so', async () => {
    const complaint = await register();
    const recorded = await api.call('POST', `/api/complaints/${complaint.id}/queries`, {
      as: people.agentZG,
      body: { question: '为什么我的流量包提前停用了？', department: 'data' },
    });
    expect(recorded.status).toBe(201);
    expect(recorded.body).toMatchObject({ id: `${complaint.id}.q1`, department: 'data', answerDueAt: '2026-11-05T16:00:00.000Z' });
    expect(recorded.headers.get('etag')).toBe('"2"');

    // 87 hours to the due time: warnings at 50% and 80% first
    await advance(87 * 60 - 1);
    expect((await queryEvents(complaint.id)).map((e) => [e.type, e.data.mark])).toEqual([
      ['CustomerQueryRecorded', undefined],
      ['ClockWarningReached', 'warn50'],
      ['ClockWarningReached', 'warn80'],
    ]);
    await advance(1);
    const overdue = (await queryEvents(complaint.id)).filter((e) => e.type === 'CustomerQueryOverdue');
    expect(overdue).toEqual([expect.objectContaining({ data: expect.objectContaining({ queryId: `${complaint.id}.q1`, answerDueAt: '2026-11-05T16:00:00.000Z' }) })]);
    await advance(600);
    expect((await queryEvents(complaint.id)).filter((e) => e.type === 'CustomerQueryOverdue')).toHaveLength(1);

    const answered = await api.call('POST', `/api/complaints/${complaint.id}/queries/${complaint.id}.q1/answer`, { as: people.agentZG, body: { answer: '流量包按自然月计算。' } });
    expect(answered.status).toBe(200);
    expect(answered.body.queries).toEqual([expect.objectContaining({ answer: '流量包按自然月计算。', overdueAt: expect.any(String) })]);
    expect((await queryEvents(complaint.id)).pop()).toMatchObject({ type: 'CustomerQueryAnswered', data: { inTime: false } });
  });

  it('an answer in time stops the clock for good; bad input names each field; an unknown query is 404', async () => {
    const complaint = await register();
    const bad = await api.call('POST', `/api/complaints/${complaint.id}/queries`, { as: people.agentZG, body: { question: '', department: 7 } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['department', 'question']);

    await api.call('POST', `/api/complaints/${complaint.id}/queries`, { as: people.agentZG, body: { question: '国际漫游怎么开通？' } });
    await advance(60);
    const answered = await api.call('POST', `/api/complaints/${complaint.id}/queries/${complaint.id}.q1/answer`, { as: people.agentZG, body: { answer: '已开通。' } });
    expect(answered.status).toBe(200);
    await advance(7 * 24 * 60);
    expect((await queryEvents(complaint.id)).map((e) => e.type)).toEqual(['CustomerQueryRecorded', 'CustomerQueryAnswered']);

    const again = await api.call('POST', `/api/complaints/${complaint.id}/queries/${complaint.id}.q1/answer`, { as: people.agentZG, body: { answer: 'twice' } });
    expect(again.status).toBe(409);
    const unknown = await api.call('POST', `/api/complaints/${complaint.id}/queries/${complaint.id}.q9/answer`, { as: people.agentZG, body: { answer: 'x' } });
    expect(unknown.status).toBe(404);
    const handler = await api.call('POST', `/api/complaints/${complaint.id}/queries`, { as: people.billingHandler, body: { question: 'x' } });
    expect(handler.status).toBe(403);
  });
});

describe('a query whose answer day the calendar does not cover', () => {
  it('is refused with a reason, never given a guessed due time', async () => {
    const api = await ApiServer.start({ env: { COMPLAINTS_TEST_CLOCK: '1' } });
    try {
      const lastYear = chineseDaysPackageData().years.to;
      // 30 December of the last year the calendar knows, in China: the third working day falls in the next year
      await api.call('POST', '/api/test/clock', { as: people.admin, body: { now: `${lastYear}-12-30T02:00:00.000Z` } });
      const complaint = (await api.call('POST', '/api/complaints', { as: people.agentZG, body: complaintBody() })).body;
      const refused = await api.call('POST', `/api/complaints/${complaint.id}/queries`, { as: people.agentZG, body: { question: '元旦后怎么办理？' } });
      expect(refused.status).toBe(409);
      expect(refused.body.detail).toContain(`it has no data for ${lastYear + 1}-01-`);
      const read = await api.call('GET', `/api/complaints/${complaint.id}`, { as: people.agentZG });
      expect(read.body.revision).toBe(1);
    } finally {
      await api.stop();
    }
  });
});
