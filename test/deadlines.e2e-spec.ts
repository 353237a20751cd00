import { ApiServer, complaintBody, people } from './support/api-server';

/** Issue 4's clocks over HTTP, on the test clock: every deadline due fires before the clock call returns. */
describe('deadlines on the test clock', () => {
  let api: ApiServer;
  const advance = (minutes: number) => api.call('POST', '/api/test/clock', { as: people.admin, body: { advanceMinutes: minutes } });

  beforeAll(async () => {
    api = await ApiServer.start({ env: { COMPLAINTS_TEST_CLOCK: '1' } });
    await api.call('POST', '/api/test/clock', { as: people.admin, body: { now: '2026-11-02T01:00:00.000Z' } });
  });

  afterAll(async () => {
    await api.stop();
  });

  async function dispatched(overrides: Record<string, unknown> = {}) {
    const complaint = (await api.call('POST', '/api/complaints', { as: people.agentZG, body: complaintBody(overrides) })).body;
    const order = (await api.call('POST', `/api/complaints/${complaint.id}/dispatch`, { as: people.agentZG, body: { department: 'billing-center' } })).body;
    return { complaint, order };
  }

  const history = async (id: string) => (await api.call('GET', `/api/complaints/${id}/history`, { as: people.agentZG })).body.events as { type: string; actor: string; data: any }[];

  it('a missed hour escalates to the branch supervisor, the escalation naming its deadline; warnings come first', async () => {
    const { complaint, order } = await dispatched();
    expect((await advance(30)).body.deadlinesFired).toBeGreaterThanOrEqual(1); // 50%
    expect((await api.call('GET', '/api/queues/department/billing-center', { as: people.billingHandler })).body.items).toContainEqual(
      expect.objectContaining({ workOrderId: order.id, warning: 'warn50', overdue: false }),
    );
    await advance(31);
    const events = await history(complaint.id);
    expect(events.map((e) => e.type)).toEqual(['ComplaintRegistered', 'WorkOrderDispatched', 'ClockWarningReached', 'ClockWarningReached', 'WorkOrderReplyOverdue', 'ComplaintEscalated']);
    const overdue = events[4];
    const escalation = events[5];
    expect(overdue).toMatchObject({ actor: 'system:scheduler', data: { workOrderId: order.id, miss: 1 } });
    expect(escalation.data).toMatchObject({ to: 'branch-supervisor', trigger: 'work_order_overdue', deadlineId: overdue.data.deadlineId });
    await advance(10);
    expect((await history(complaint.id)).length).toBe(6); // never twice
  });

  it('a reply at minute 59 means no escalation ever', async () => {
    const { complaint, order } = await dispatched();
    await advance(59);
    await api.call('POST', `/api/work-orders/${order.id}/reply`, { as: people.billingHandler, body: { opinion: 'done', resolved: true } });
    await advance(120);
    const types = (await history(complaint.id)).map((e) => e.type);
    expect(types).not.toContain('WorkOrderReplyOverdue');
    expect(types).not.toContain('ComplaintEscalated');
  });

  it('a forward at minute 40 gives the new department a full hour', async () => {
    const { complaint, order } = await dispatched();
    await advance(40);
    await api.call('POST', `/api/work-orders/${order.id}/forward`, { as: people.billingHandler, body: { department: 'support', reason: 'theirs' } });
    await advance(59);
    expect((await history(complaint.id)).map((e) => e.type)).not.toContain('WorkOrderReplyOverdue');
    await advance(1);
    const overdue = (await history(complaint.id)).find((e) => e.type === 'WorkOrderReplyOverdue');
    expect(overdue?.data).toMatchObject({ department: 'support', hop: 2 });
  });

  it('pausing the level clock while waiting for the customer moves its due time by the paused time', async () => {
    const complaint = (await api.call('POST', '/api/complaints', { as: people.agentZG, body: complaintBody() })).body;
    expect((await api.call('POST', `/api/complaints/${complaint.id}/pause`, { as: people.agentZG, body: { reason: 'waiting for the customer to send the bill' } })).status).toBe(200);
    expect((await api.call('POST', `/api/complaints/${complaint.id}/pause`, { as: people.agentZG, body: { reason: 'again' } })).status).toBe(409);
    await advance(120);
    const resumed = await api.call('POST', `/api/complaints/${complaint.id}/resume`, { as: people.agentZG });
    expect(resumed.status).toBe(200);
    expect(Date.parse(resumed.body.dueAt) - Date.parse(complaint.dueAt)).toBe(120 * 60_000);
    expect((await history(complaint.id)).map((e) => e.type)).toEqual(['ComplaintRegistered', 'LevelClockPaused', 'LevelClockResumed']);
  });
});
