import { ApiServer, complaintBody, people } from './support/api-server';

/** The reads and the stream the web console uses beyond API.md's list. */
describe('the console API', () => {
  let server: ApiServer;

  beforeAll(async () => {
    server = await ApiServer.start();
  });

  afterAll(async () => {
    await server.stop();
  });

  it('serves the console at / and leaves the API where it was', async () => {
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app">');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await server.call('GET', '/health')).status).toBe(200);
    expect((await server.call('GET', '/api/queues/desk')).status).toBe(401);
  });

  it('gives the forms their catalog from the policy', async () => {
    const catalog = await server.call('GET', '/api/catalog', { as: people.agentZG });
    expect(catalog.status).toBe(200);
    expect(catalog.body.departments).toContainEqual({ id: 'billing-center', name: 'Branch billing center', nameZh: '分公司计费中心' });
    expect(catalog.body.routing.billing[0]).toBe('billing-center');
    expect(catalog.body.categories).toEqual(['billing', 'network', 'service', 'vas']);
  });

  it('lists the refunds waiting for the accounts room of its branch, then those to execute', async () => {
    const complaint = await server.call('POST', '/api/complaints', { as: people.agentZG, body: complaintBody() });
    const refund = await server.call('POST', `/api/complaints/${complaint.body.id}/refunds`, { as: people.agentZG, body: { amountClaimed: 30.5 } });
    const waiting = await server.call('GET', '/api/queues/refunds?status=requested', { as: people.accountsZG });
    expect(waiting.body.items).toContainEqual(expect.objectContaining({ refundId: refund.body.id, amountClaimed: 30.5, status: 'requested', cashApproved: false }));
    expect((await server.call('GET', '/api/queues/refunds?branch=GX', { as: people.accountsZG })).status).toBe(403);
    expect((await server.call('GET', '/api/queues/refunds?status=late', { as: people.accountsZG })).body.errors[0].field).toBe('status');

    await server.call('POST', `/api/refunds/${refund.body.id}/verify`, { as: people.accountsZG, body: { refundable: true } });
    await server.call('POST', `/api/refunds/${refund.body.id}/approve-cash`, { as: people.supervisorZG });
    const verified = await server.call('GET', '/api/queues/refunds?status=verified', { as: people.supervisorZG });
    expect(verified.body.items).toContainEqual(expect.objectContaining({ refundId: refund.body.id, status: 'verified', cashApproved: true }));
  });

  it("draws the dashboard's days, MIIT classes and repeat complainants, numbers masked", async () => {
    for (let i = 0; i < 2; i++) await server.call('POST', '/api/complaints', { as: people.agentZG, body: complaintBody({ customer: { msisdn: '13700001111' }, category: 'network' }) });
    const trend = await server.call('GET', '/api/stats/trend', { as: people.analyst });
    expect(trend.status).toBe(200);
    expect(trend.body.days).toHaveLength(31);
    expect(trend.body.days.reduce((n: number, d: { registered: number }) => n + d.registered, 0)).toBeGreaterThanOrEqual(3);
    expect(trend.body.categoryByMiit).toContainEqual(expect.objectContaining({ category: 'network', miitClass: 'network_quality' }));
    expect(trend.body.repeatComplainants).toContainEqual(expect.objectContaining({ msisdn: '137****1111', complaints: 2 }));
    expect(JSON.stringify(trend.body)).not.toContain('13700001111');
    expect((await server.call('GET', '/api/stats/trend', { as: people.agentZG })).status).toBe(403);
  });

  it('lists the handovers addressed to the caller, pending first', async () => {
    const handover = await server.call('POST', '/api/handovers', { as: people.agentZG, body: { toAgent: 'desk-008', note: '张先生九点回电' } });
    expect(handover.status).toBe(201);
    const mine = await server.call('GET', '/api/handovers', { as: { sub: 'desk-008', role: 'agent', branch: 'ZG' } });
    expect(mine.body.items[0]).toMatchObject({ id: handover.body.id, status: 'pending', fromAgent: 'desk-007', note: '张先生九点回电' });
    expect((await server.call('GET', '/api/handovers', { as: people.agentZG })).body.items).toEqual([]);
  });

  it('streams the read models\u2019 position when events arrive', async () => {
    const controller = new AbortController();
    const response = await fetch(`${server.url}/api/events/stream`, { headers: { authorization: `Bearer ${server.token(people.billingHandler)}` }, signal: controller.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const positions = () => [...text.matchAll(/data: (\{.*\})/g)].map((m) => JSON.parse(m[1]).position as number);
    const until = async (done: () => boolean) => {
      while (!done()) text += decoder.decode((await reader.read()).value, { stream: true });
    };
    await until(() => positions().length >= 1);
    const first = positions()[0];
    await server.call('POST', '/api/complaints', { as: people.agentZG, body: complaintBody() });
    await until(() => positions().some((p) => p > first));
    controller.abort();
    expect((await fetch(`${server.url}/api/events/stream`)).status).toBe(401);
  });
});
