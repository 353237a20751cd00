import { ApiServer, complaintBody, people } from './support/api-server';

describe('shift handover over HTTP (交接班)', () => {
  let api: ApiServer;
  const outgoing = { sub: 'desk-201', role: 'agent', branch: 'ZG' } as const;
  const incoming = { sub: 'desk-202', role: 'agent', branch: 'ZG' } as const;

  beforeAll(async () => {
    api = await ApiServer.start();
  });

  afterAll(async () => {
    await api.stop();
  });

  it('hands over every open complaint the desk holds, and the receiver acknowledges', async () => {
    const open = await api.call('POST', '/api/complaints', { as: outgoing, body: complaintBody() });
    const dispatched = await api.call('POST', `/api/complaints/${open.body.id}/dispatch`, { as: outgoing, body: { department: 'billing-center' } });
    const closed = await api.call('POST', '/api/complaints', { as: outgoing, body: complaintBody({ category: 'service' }) });
    await api.call('POST', `/api/complaints/${closed.body.id}/resolve-on-site`, { as: outgoing, body: { resolution: 'done' } });
    await api.call('POST', `/api/complaints/${closed.body.id}/satisfaction`, { as: outgoing, body: { satisfied: true } });
    await api.call('POST', `/api/complaints/${closed.body.id}/archive`, { as: outgoing });
    await api.call('POST', '/api/complaints', { as: people.agentZG, body: complaintBody() }); // someone else's

    const handover = await api.call('POST', '/api/handovers', { as: outgoing, body: { toAgent: 'desk-202', note: 'Mr Zhang calls back at 9' } });
    expect(handover.status).toBe(201);
    expect(handover.body).toMatchObject({ status: 'pending', fromAgent: 'desk-201', toAgent: 'desk-202' });
    expect(handover.body.items).toEqual([{ complaintId: open.body.id, status: 'dispatched', openWorkOrders: [dispatched.body.id] }]);

    expect((await api.call('POST', `/api/handovers/${handover.body.id}/acknowledge`, { as: people.agentZG })).status).toBe(409);
    const acknowledged = await api.call('POST', `/api/handovers/${handover.body.id}/acknowledge`, { as: incoming });
    expect(acknowledged.status).toBe(200);
    expect(acknowledged.body.status).toBe('acknowledged');

    // the items are the incoming agent's now
    const next = await api.call('POST', '/api/handovers', { as: incoming, body: { toAgent: 'desk-201' } });
    expect(next.body.items.map((i: { complaintId: string }) => i.complaintId)).toEqual([open.body.id]);
    const nothingLeft = await api.call('POST', '/api/handovers', { as: outgoing, body: { toAgent: 'desk-203' } });
    expect(nothingLeft.body.items).toEqual([]);
  });

  it('refuses a handover without the incoming agent, naming the field', async () => {
    const response = await api.call('POST', '/api/handovers', { as: outgoing, body: { note: 'x' } });
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual(['toAgent']);
  });
});
