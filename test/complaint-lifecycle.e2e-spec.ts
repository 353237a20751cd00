import { ApiServer, complaintBody, people } from './support/api-server';

/**
 * The whole life of a complaint over HTTP, as API.md describes it and the
 * issue's acceptance lists it: every step a durable event, every refused step
 * a 409 that says why.
 */
describe('a complaint over HTTP, from the desk to the archive', () => {
  let api: ApiServer;

  beforeAll(async () => {
    api = await ApiServer.start();
  });

  afterAll(async () => {
    await api.stop();
  });

  async function register(overrides: Record<string, unknown> = {}, as = people.agentZG) {
    const response = await api.call('POST', '/api/complaints', { as, body: complaintBody(overrides) });
    expect(response.status).toBe(201);
    return response;
  }

  it('registers a complaint with its level, time limit and ETag', async () => {
    const { body, headers } = await register();
    expect(body).toMatchObject({ status: 'registered', channel: 'business_hall', category: 'billing', level: 1, branch: 'ZG', revision: 1 });
    expect(body.customer.msisdn).toBe('13812345678');
    expect(Date.parse(body.dueAt) - Date.parse(body.registeredAt)).toBe(48 * 3600_000);
    expect(headers.get('etag')).toBe('"1"');
    expect(headers.get('location')).toBe(`/api/complaints/${body.id}`);
    expect(body).toHaveProperty('workOrders', []);
    expect(body).toHaveProperty('escalations', []);
    expect(body).toHaveProperty('callbacks', []);
    expect(body).toHaveProperty('refunds', []);
  });

  it('raises a VIP complaint one level, and reclassification moves its time limit', async () => {
    const { body } = await register({ customer: { msisdn: '13900000001', vip: true } });
    expect(body.level).toBe(2);
    expect(body.levelRaisedBy).toEqual(['vip']);
    const classified = await api.call('POST', `/api/complaints/${body.id}/classify`, {
      as: people.agentZG,
      body: { category: 'network', subcategory: 'no signal', level: 2, reason: 'it is about coverage' },
    });
    expect(classified.status).toBe(200);
    expect(classified.body).toMatchObject({ category: 'network', level: 3 });
    expect(Date.parse(classified.body.dueAt) - Date.parse(body.registeredAt)).toBe(4 * 3600_000);
  });

  it('resolves on site, records satisfaction and archives', async () => {
    const { body: complaint } = await register({ category: 'service' });
    const resolved = await api.call('POST', `/api/complaints/${complaint.id}/resolve-on-site`, { as: people.agentZG, body: { resolution: 'Explained the rule in the reception room.' } });
    expect(resolved.status).toBe(200);
    expect(resolved.body.status).toBe('answered');
    const satisfied = await api.call('POST', `/api/complaints/${complaint.id}/satisfaction`, { as: people.agentZG, body: { satisfied: true } });
    expect(satisfied.body.status).toBe('satisfied');
    const archived = await api.call('POST', `/api/complaints/${complaint.id}/archive`, { as: people.agentZG });
    expect(archived.status).toBe(200);
    expect(archived.body.status).toBe('archived');

    const again = await api.call('POST', `/api/complaints/${complaint.id}/escalate`, { as: people.agentZG, body: { reason: 'late' } });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
    expect(again.body.detail).toMatch(/archived/);
  });

  it('dispatches, forwards with a new hour, replies, returns, re-dispatches, answers, escalates on dissatisfaction and archives', async () => {
    const { body: complaint } = await register();
    const id = complaint.id;

    const dispatched = await api.call('POST', `/api/complaints/${id}/dispatch`, { as: people.agentZG, body: { department: 'billing-center', note: 'told the customer: answer by phone today' } });
    expect(dispatched.status).toBe(201);
    const order = dispatched.body;
    expect(order).toMatchObject({ department: 'billing-center', status: 'dispatched', complaintId: id });
    expect(Date.parse(order.replyDueAt) - Date.parse(order.dispatchedAt)).toBe(3600_000);

    const inbox = await api.call('GET', '/api/queues/department/billing-center', { as: people.billingHandler });
    expect(inbox.status).toBe(200);
    const queued = inbox.body.items.find((item: { workOrderId: string }) => item.workOrderId === order.id);
    expect(queued).toBeDefined();
    expect(queued.secondsLeft).toBeGreaterThan(3500);

    expect((await api.call('POST', `/api/work-orders/${order.id}/accept`, { as: people.billingHandler })).status).toBe(200);
    // another department cannot touch it
    expect((await api.call('POST', `/api/work-orders/${order.id}/reply`, { as: people.dataHandler, body: { opinion: 'x', resolved: true } })).status).toBe(404);

    const forwarded = await api.call('POST', `/api/work-orders/${order.id}/forward`, { as: people.billingHandler, body: { department: 'support', reason: 'the rating system is theirs' } });
    expect(forwarded.status).toBe(200);
    expect(forwarded.body.department).toBe('support');
    expect(forwarded.body.hops).toHaveLength(2);
    expect(Date.parse(forwarded.body.replyDueAt)).toBeGreaterThanOrEqual(Date.parse(order.replyDueAt));
    expect(Date.parse(forwarded.body.replyDueAt) - Date.parse(forwarded.body.hops[1].startedAt)).toBe(3600_000);
    // the department that forwarded it no longer holds it
    expect((await api.call('POST', `/api/work-orders/${order.id}/reply`, { as: people.billingHandler, body: { opinion: 'x', resolved: true } })).status).toBe(403);

    const replied = await api.call('POST', `/api/work-orders/${order.id}/reply`, { as: people.supportHandler, body: { opinion: 'Rating fixed; the second charge will be credited.', resolved: true } });
    expect(replied.status).toBe(200);
    expect(replied.body.status).toBe('replied');

    const twice = await api.call('POST', `/api/work-orders/${order.id}/reply`, { as: people.supportHandler, body: { opinion: 'again', resolved: true } });
    expect(twice.status).toBe(409);
    expect(twice.body.detail).toMatch(/already answered/);

    const returned = await api.call('POST', `/api/work-orders/${order.id}/return`, { as: people.agentZG, body: { reason: 'the credit is not on the bill' } });
    expect(returned.status).toBe(200);
    expect(returned.body.status).toBe('returned');
    expect((await api.call('GET', `/api/complaints/${id}`, { as: people.agentZG })).body.status).toBe('in_progress');

    const redispatched = await api.call('POST', `/api/complaints/${id}/dispatch`, { as: people.agentZG, body: { department: 'billing-center' } });
    expect(redispatched.status).toBe(201);
    expect(redispatched.body.id).not.toBe(order.id);
    const second = redispatched.body.id;
    expect((await api.call('POST', `/api/work-orders/${second}/reply`, { as: people.billingHandler, body: { opinion: 'Credited 30.00 yuan.', resolved: true } })).status).toBe(200);

    const answered = await api.call('POST', `/api/complaints/${id}/customer-reply`, { as: people.agentZG, body: { method: 'phone', content: 'The 30 yuan are credited.' } });
    expect(answered.status).toBe(200);
    expect(answered.body.status).toBe('answered');

    const unsatisfied = await api.call('POST', `/api/complaints/${id}/satisfaction`, { as: people.agentZG, body: { satisfied: false, comment: 'wants compensation' } });
    expect(unsatisfied.body.status).toBe('in_progress');
    expect(unsatisfied.body.heldBy).toBe('branch-customer-supervisor');
    expect(unsatisfied.body.escalations).toEqual([expect.objectContaining({ to: 'branch-customer-supervisor', trigger: 'customer_unsatisfied' })]);

    const escalated = await api.call('POST', `/api/complaints/${id}/escalate`, { as: people.supervisorZG, body: { reason: 'asks for the marketing department' } });
    expect(escalated.status).toBe(200);
    expect(escalated.body.heldBy).toBe('marketing-cs');
    const top = await api.call('POST', `/api/complaints/${id}/escalate`, { as: people.supervisorZG, body: { reason: 'again' } });
    expect(top.status).toBe(409);
    expect(top.body.detail).toMatch(/top of the escalation ladder/);

    const early = await api.call('POST', `/api/complaints/${id}/archive`, { as: people.agentZG });
    expect(early.status).toBe(409);
    expect(early.body.detail).toMatch(/satisfied/);

    expect((await api.call('POST', `/api/complaints/${id}/resolve-on-site`, { as: people.supervisorZG, body: { resolution: 'Goodwill credit of one month fee.' } })).status).toBe(200);
    expect((await api.call('POST', `/api/complaints/${id}/satisfaction`, { as: people.supervisorZG, body: { satisfied: true } })).status).toBe(200);
    const archived = await api.call('POST', `/api/complaints/${id}/archive`, { as: people.supervisorZG });
    expect(archived.status).toBe(200);
    expect(archived.body.status).toBe('archived');

    const history = await api.call('GET', `/api/complaints/${id}/history`, { as: people.agentZG });
    expect(history.status).toBe(200);
    expect(history.body.events.map((e: { type: string }) => e.type)).toEqual([
      'ComplaintRegistered',
      'WorkOrderDispatched',
      'WorkOrderAccepted',
      'WorkOrderForwarded',
      'WorkOrderReplied',
      'WorkOrderReturned',
      'WorkOrderDispatched',
      'WorkOrderReplied',
      'CustomerReplied',
      'SatisfactionRecorded',
      'ComplaintEscalated',
      'ComplaintEscalated',
      'ComplaintResolvedOnSite',
      'SatisfactionRecorded',
      'ComplaintArchived',
      'CallbackScheduled',
    ]);
    expect(history.body.events[0]).toMatchObject({ actor: 'desk-007', revision: 1 });
    expect(history.body.events[4]).toMatchObject({ actor: 'support-01', data: expect.objectContaining({ onTime: true, hop: 2 }) });
  });

  it('refunds to the bill without approval, and in cash only after a supervisor approved it', async () => {
    const { body: complaint } = await register();
    const requested = await api.call('POST', `/api/complaints/${complaint.id}/refunds`, { as: people.agentZG, body: { amountClaimed: 30.5, reason: 'double charge' } });
    expect(requested.status).toBe(201);
    expect(requested.body).toMatchObject({ status: 'requested', amountClaimed: 30.5 });
    expect(Date.parse(requested.body.verifyDueAt) - Date.parse(requested.body.requestedAt)).toBe(10 * 60_000);
    const refund = requested.body.id;

    expect((await api.call('POST', `/api/refunds/${refund}/verify`, { as: people.agentZG, body: { refundable: true } })).status).toBe(403);
    const verified = await api.call('POST', `/api/refunds/${refund}/verify`, { as: people.accountsZG, body: { refundable: true, amount: 30.5 } });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ status: 'verified', amount: 30.5 });

    const cashTooSoon = await api.call('POST', `/api/refunds/${refund}/execute`, { as: people.agentZG, body: { method: 'cash', formSigned: true, idChecked: true } });
    expect(cashTooSoon.status).toBe(409);
    expect(cashTooSoon.body.detail).toMatch(/supervisor's approval/);

    expect((await api.call('POST', `/api/refunds/${refund}/approve-cash`, { as: people.agentZG })).status).toBe(403);
    expect((await api.call('POST', `/api/refunds/${refund}/approve-cash`, { as: people.supervisorZG })).status).toBe(200);
    const noForm = await api.call('POST', `/api/refunds/${refund}/execute`, { as: people.agentZG, body: { method: 'cash', idChecked: true } });
    expect(noForm.status).toBe(409);
    expect(noForm.body.detail).toMatch(/form/);
    const paid = await api.call('POST', `/api/refunds/${refund}/execute`, { as: people.agentZG, body: { method: 'cash', formSigned: true, idChecked: true } });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ status: 'executed', method: 'cash' });

    const second = await api.call('POST', `/api/complaints/${complaint.id}/refunds`, { as: people.agentZG, body: { amountClaimed: 12 } });
    expect(second.status).toBe(201);
    await api.call('POST', `/api/refunds/${second.body.id}/verify`, { as: people.accountsZG, body: { refundable: true } });
    const credited = await api.call('POST', `/api/refunds/${second.body.id}/execute`, { as: people.agentZG, body: { method: 'bill_credit' } });
    expect(credited.status).toBe(200);
    expect(credited.body).toMatchObject({ status: 'executed', method: 'bill_credit', amount: 12 });
  });

  it('refuses a refund for a complaint that is not about billing', async () => {
    const { body: complaint } = await register({ category: 'network' });
    const refused = await api.call('POST', `/api/complaints/${complaint.id}/refunds`, { as: people.agentZG, body: { amountClaimed: 5 } });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/billing/);
  });
});
