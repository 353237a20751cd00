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

  it('the ladder: a second missed hour on a complaint goes to the branch customer supervisor, a third to marketing customer-service management', async () => {
    const { complaint, order } = await dispatched();
    await advance(61);
    // each forward starts a new hour for the receiving department: a new miss when it passes
    await api.call('POST', `/api/work-orders/${order.id}/forward`, { as: people.billingHandler, body: { department: 'support', reason: 'theirs' } });
    await advance(61);
    await api.call('POST', `/api/work-orders/${order.id}/forward`, { as: people.supportHandler, body: { department: 'billing-center', reason: 'back to billing' } });
    await advance(61);
    const events = await history(complaint.id);
    const misses = events.filter((e) => e.type === 'WorkOrderReplyOverdue');
    const escalations = events.filter((e) => e.type === 'ComplaintEscalated');
    expect(misses.map((e) => e.data.miss)).toEqual([1, 2, 3]);
    expect(escalations.map((e) => [e.data.from, e.data.to, e.data.trigger])).toEqual([
      ['desk', 'branch-supervisor', 'work_order_overdue'],
      ['branch-supervisor', 'branch-customer-supervisor', 'work_order_overdue'],
      ['branch-customer-supervisor', 'marketing-cs', 'work_order_overdue'],
    ]);
    // every escalation names the deadline that caused it
    expect(escalations.map((e) => e.data.deadlineId)).toEqual(misses.map((e) => e.data.deadlineId));
    expect((await api.call('GET', `/api/complaints/${complaint.id}`, { as: people.agentZG })).body.heldBy).toBe('marketing-cs');
  });

  it('a complaint from the consumer association goes to marketing customer-service management at its first missed hour', async () => {
    const { complaint } = await dispatched({ channel: 'consumer_association' });
    await advance(61);
    const escalation = (await history(complaint.id)).find((e) => e.type === 'ComplaintEscalated');
    expect(escalation?.data).toMatchObject({ from: 'desk', to: 'marketing-cs', trigger: 'work_order_overdue', deadlineId: expect.any(String) });
  });

  it('a refund not verified within ten minutes is recorded overdue, once, and shows in the overdue queue', async () => {
    const complaint = (await api.call('POST', '/api/complaints', { as: people.agentZG, body: complaintBody() })).body;
    const refund = (await api.call('POST', `/api/complaints/${complaint.id}/refunds`, { as: people.agentZG, body: { amountClaimed: 20 } })).body;
    await advance(9);
    expect((await history(complaint.id)).map((e) => e.type)).not.toContain('RefundVerificationOverdue');
    await advance(2);
    await advance(30);
    const overdue = (await history(complaint.id)).filter((e) => e.type === 'RefundVerificationOverdue');
    expect(overdue).toHaveLength(1);
    expect(overdue[0].data).toMatchObject({ refundId: refund.id, verifyDueAt: refund.verifyDueAt });
    const queue = (await api.call('GET', '/api/queues/overdue', { as: people.supervisorZG })).body;
    expect(queue.refundVerifications).toContainEqual(expect.objectContaining({ refundId: refund.id }));
  });

  it('the level time limit and the fifteen-day appeal risk fire once each as events, and the desk queue shows them', async () => {
    const complaint = (await api.call('POST', '/api/complaints', { as: people.agentZG, body: complaintBody() })).body;
    const levelMinutes = (Date.parse(complaint.dueAt) - Date.parse(complaint.registeredAt)) / 60_000;
    await advance(levelMinutes + 1);
    const level = (await history(complaint.id)).filter((e) => e.type === 'ComplaintLevelOverdue');
    expect(level).toHaveLength(1);
    expect(level[0].data).toMatchObject({ dueAt: complaint.dueAt });
    const desk = (await api.call('GET', '/api/queues/desk?branch=ZG', { as: people.agentZG })).body.items as { complaintId: string; overdue: boolean; appealRisk: boolean }[];
    expect(desk.find((item) => item.complaintId === complaint.id)).toMatchObject({ overdue: true });

    const appealMinutes = (Date.parse(complaint.appealRiskAt) - Date.parse(complaint.registeredAt)) / 60_000;
    await advance(appealMinutes - levelMinutes);
    await advance(60);
    const appeal = (await history(complaint.id)).filter((e) => e.type === 'AppealRiskReached');
    expect(appeal).toHaveLength(1);
    expect(appeal[0].data).toMatchObject({ appealRiskAt: complaint.appealRiskAt });
    const later = (await api.call('GET', '/api/queues/desk?branch=ZG', { as: people.agentZG })).body.items as { complaintId: string; overdue: boolean; appealRisk: boolean }[];
    expect(later.find((item) => item.complaintId === complaint.id)).toMatchObject({ overdue: true, appealRisk: true });
    // and asOf an instant before its due time, the queue shows it as it was then
    const before = new Date(Date.parse(complaint.dueAt) - 60_000).toISOString();
    const then = (await api.call('GET', `/api/queues/desk?branch=ZG&asOf=${encodeURIComponent(before)}`, { as: people.agentZG })).body.items as {
      complaintId: string;
      overdue: boolean;
      appealRisk: boolean;
    }[];
    expect(then.find((item) => item.complaintId === complaint.id)).toMatchObject({ overdue: false, appealRisk: false });
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

describe('callbacks (回访) on the test clock', () => {
  let api: ApiServer;
  const advance = (minutes: number) => api.call('POST', '/api/test/clock', { as: people.admin, body: { advanceMinutes: minutes } });

  beforeAll(async () => {
    api = await ApiServer.start({ env: { COMPLAINTS_TEST_CLOCK: '1' } });
    await api.call('POST', '/api/test/clock', { as: people.admin, body: { now: '2026-11-02T01:00:00.000Z' } });
  });

  afterAll(async () => {
    await api.stop();
  });

  async function archivedComplaint() {
    const { id } = (await api.call('POST', '/api/complaints', { as: people.agentZG, body: complaintBody({ category: 'service' }) })).body;
    await api.call('POST', `/api/complaints/${id}/resolve-on-site`, { as: people.agentZG, body: { resolution: 'explained' } });
    await api.call('POST', `/api/complaints/${id}/satisfaction`, { as: people.agentZG, body: { satisfied: true } });
    return (await api.call('POST', `/api/complaints/${id}/archive`, { as: people.agentZG })).body;
  }

  it('archiving schedules a callback within 24 hours; unreachable tries again two hours later; a missed one is overdue', async () => {
    const complaint = await archivedComplaint();
    expect(complaint.callbacks).toEqual([expect.objectContaining({ id: `${complaint.id}.cb1`, status: 'scheduled', attempt: 1 })]);
    expect(Date.parse(complaint.callbacks[0].dueAt) - Date.parse(complaint.archivedAt)).toBe(24 * 3600_000);
    const callback = `/api/complaints/${complaint.id}/callbacks/${complaint.callbacks[0].id}/complete`;
    const unreachable = await api.call('POST', callback, { as: people.callcenter, body: { outcome: 'unreachable' } });
    expect(unreachable.status).toBe(200);
    expect(unreachable.body.callbacks[0]).toMatchObject({ status: 'scheduled', attempt: 2 });
    await advance(121);
    const overdue = await api.call('GET', `/api/complaints/${complaint.id}`, { as: people.agentZG });
    expect(overdue.body.callbacks[0]).toMatchObject({ overdue: true, attempt: 2 });
    expect((await api.call('POST', callback, { as: people.callcenter, body: { outcome: 'maybe' } })).status).toBe(400);
  });

  it('unsatisfied at the callback reopens the complaint to the branch customer supervisor, in a new cycle with its own callback', async () => {
    const complaint = await archivedComplaint();
    const reopened = await api.call('POST', `/api/complaints/${complaint.id}/callbacks/${complaint.id}.cb1/complete`, {
      as: people.agentZG,
      body: { outcome: 'unsatisfied', notes: 'the fee is still on the bill' },
    });
    expect(reopened.status).toBe(200);
    expect(reopened.body).toMatchObject({ status: 'in_progress', cycle: 2, heldBy: 'branch-customer-supervisor' });
    await api.call('POST', `/api/complaints/${complaint.id}/resolve-on-site`, { as: people.supervisorZG, body: { resolution: 'refunded the fee' } });
    await api.call('POST', `/api/complaints/${complaint.id}/satisfaction`, { as: people.supervisorZG, body: { satisfied: true } });
    const again = await api.call('POST', `/api/complaints/${complaint.id}/archive`, { as: people.supervisorZG });
    expect(again.body.callbacks.map((c: { id: string; cycle: number }) => [c.id, c.cycle])).toEqual([
      [`${complaint.id}.cb1`, 1],
      [`${complaint.id}.cb2`, 2],
    ]);
  });
});
