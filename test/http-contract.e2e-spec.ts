import { ApiServer, complaintBody, people } from './support/api-server';

/** The conventions of API.md: errors, scopes, ETag/If-Match, Idempotency-Key, masking. */
describe('HTTP conventions', () => {
  let api: ApiServer;

  beforeAll(async () => {
    api = await ApiServer.start();
  });

  afterAll(async () => {
    await api.stop();
  });

  const register = (overrides: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
    api.call('POST', '/api/complaints', { as: people.agentZG, body: complaintBody(overrides), headers });

  it('400 names every bad field, nested ones and unknown ones included, and writes nothing', async () => {
    const before = await api.call('GET', '/health');
    const response = await api.call('POST', '/api/complaints', {
      as: people.agentZG,
      body: { ...complaintBody(), category: 'weather', customer: { msisdn: '12345', vip: 'yes' }, description: '', colour: 'red', channel: undefined },
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const fields = response.body.errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(['category', 'channel', 'colour', 'customer.msisdn', 'customer.vip', 'description'].sort());
    for (const error of response.body.errors) expect(error.message).toEqual(expect.any(String));
    const after = await api.call('GET', '/health');
    expect(after.body.checks['event-store'].detail).toBe(before.body.checks['event-store'].detail);
  });

  it('401 without a token, 403 for a role that may not, 404 outside the caller\'s scope', async () => {
    expect((await api.call('POST', '/api/complaints', { body: complaintBody() })).status).toBe(401);
    const analyst = await api.call('POST', '/api/complaints', { as: people.analyst, body: complaintBody() });
    expect(analyst.status).toBe(403);
    expect(analyst.body.status).toBe(403);
    const otherBranch = await api.call('POST', '/api/complaints', { as: people.agentGX, body: complaintBody() });
    expect(otherBranch.status).toBe(403);

    const { body: complaint } = await register();
    expect((await api.call('GET', `/api/complaints/${complaint.id}`, { as: people.agentGX })).status).toBe(404);
    expect((await api.call('POST', `/api/complaints/${complaint.id}/escalate`, { as: people.agentGX, body: { reason: 'x' } })).status).toBe(404);
    expect((await api.call('GET', '/api/complaints/no-such-id', { as: people.agentZG })).status).toBe(404);
    expect((await api.call('POST', '/api/work-orders/no-such-id/accept', { as: people.billingHandler })).status).toBe(404);
  });

  it('analysts read masked personal data and cannot write', async () => {
    const { body: complaint } = await register({ customer: { msisdn: '13812345678', name: '李小龙' } });
    const read = await api.call('GET', `/api/complaints/${complaint.id}`, { as: people.analyst });
    expect(read.status).toBe(200);
    expect(read.body.customer.msisdn).toBe('138****5678');
    expect(read.body.customer.name).toBe('李**');
    const history = await api.call('GET', `/api/complaints/${complaint.id}/history`, { as: people.analyst });
    expect(JSON.stringify(history.body)).not.toContain('13812345678');
    expect((await api.call('POST', `/api/complaints/${complaint.id}/classify`, { as: people.analyst, body: { category: 'service' } })).status).toBe(403);
  });

  it('ETag is the revision; a stale If-Match is 412 and writes nothing', async () => {
    const { body: complaint, headers } = await register();
    expect(headers.get('etag')).toBe('"1"');
    const classified = await api.call('POST', `/api/complaints/${complaint.id}/classify`, { as: people.agentZG, body: { category: 'service' }, headers: { 'if-match': '"1"' } });
    expect(classified.status).toBe(200);
    expect(classified.headers.get('etag')).toBe('"2"');
    const stale = await api.call('POST', `/api/complaints/${complaint.id}/escalate`, { as: people.agentZG, body: { reason: 'x' }, headers: { 'if-match': '"1"' } });
    expect(stale.status).toBe(412);
    expect(stale.headers.get('content-type')).toContain('application/problem+json');
    const read = await api.call('GET', `/api/complaints/${complaint.id}`, { as: people.agentZG });
    expect(read.headers.get('etag')).toBe('"2"');
    expect(read.body.escalations).toEqual([]);
    expect((await api.call('POST', `/api/complaints/${complaint.id}/escalate`, { as: people.agentZG, body: { reason: 'x' }, headers: { 'if-match': 'nonsense' } })).status).toBe(400);
  });

  it('a refused command writes nothing', async () => {
    const { body: complaint } = await register();
    const refused = await api.call('POST', `/api/complaints/${complaint.id}/archive`, { as: people.agentZG });
    expect(refused.status).toBe(409);
    const history = await api.call('GET', `/api/complaints/${complaint.id}/history`, { as: people.agentZG });
    expect(history.body.events).toHaveLength(1);
  });

  it('two concurrent replies to one work order: one succeeds, the other is refused', async () => {
    const { body: complaint } = await register();
    const { body: order } = await api.call('POST', `/api/complaints/${complaint.id}/dispatch`, { as: people.agentZG, body: { department: 'billing-center' } });
    const replies = await Promise.all(
      [1, 2].map((n) => api.call('POST', `/api/work-orders/${order.id}/reply`, { as: people.billingHandler, body: { opinion: `answer ${n}`, resolved: true } })),
    );
    expect(replies.map((r) => r.status).sort()).toEqual([200, 409]);
  });

  it('Idempotency-Key: a repeat returns the first response and writes nothing more', async () => {
    const first = await register({}, { 'idempotency-key': 'register-once-1' });
    expect(first.status).toBe(201);
    const repeat = await register({}, { 'idempotency-key': 'register-once-1' });
    expect(repeat.status).toBe(201);
    expect(repeat.body).toEqual(first.body);
    expect(repeat.headers.get('etag')).toBe(first.headers.get('etag'));
    const history = await api.call('GET', `/api/complaints/${first.body.id}/history`, { as: people.agentZG });
    expect(history.body.events).toHaveLength(1);

    const concurrent = await Promise.all([1, 2, 3].map(() => register({}, { 'idempotency-key': 'register-concurrently' })));
    expect(new Set(concurrent.map((r) => r.body.id)).size).toBe(1);

    const misuse = await register({ description: 'another matter' }, { 'idempotency-key': 'register-once-1' });
    expect(misuse.status).toBe(422);
  });

  it('Idempotency-Key survives a restart', async () => {
    const server = await ApiServer.start();
    const dataDir = server.dataDir;
    const body = complaintBody();
    const first = await server.call('POST', '/api/complaints', { as: people.agentZG, body, headers: { 'idempotency-key': 'k-restart' } });
    await server.stop({ removeData: false });

    const restarted = await ApiServer.start({ dataDir });
    try {
      const repeat = await restarted.call('POST', '/api/complaints', { as: people.agentZG, body, headers: { 'idempotency-key': 'k-restart' } });
      expect(repeat.status).toBe(201);
      expect(repeat.body.id).toBe(first.body.id);
      const read = await restarted.call('GET', `/api/complaints/${first.body.id}`, { as: people.agentZG });
      expect(read.body.revision).toBe(1);
    } finally {
      await restarted.stop({ removeData: true });
    }
  });

  it('a third complaint by the same number in 30 days is a repeat complaint, one level up', async () => {
    const msisdn = '13700000099';
    await register({ customer: { msisdn } });
    await register({ customer: { msisdn } });
    const third = await register({ customer: { msisdn } });
    expect(third.body.level).toBe(2);
    expect(third.body.levelRaisedBy).toEqual(['repeat_complainant']);
  });

  it('counts only the complaints of the last 30 days', async () => {
    const server = await ApiServer.start({ env: { COMPLAINTS_TEST_CLOCK: '1' } });
    try {
      const register = (msisdn: string) => server.call('POST', '/api/complaints', { as: people.agentZG, body: complaintBody({ customer: { msisdn } }) });
      const setClock = (now: string) => server.call('POST', '/api/test/clock', { as: people.admin, body: { now } });
      expect((await setClock('2026-09-01T02:00:00.000Z')).status).toBe(200);
      await register('13700000096');
      await setClock('2026-09-20T02:00:00.000Z');
      await register('13700000096');
      // 31 days after the first, 12 after the second: one prior complaint in the window
      await setClock('2026-10-02T02:00:00.000Z');
      const third = await register('13700000096');
      expect(third.status).toBe(201);
      expect(third.body.levelRaisedBy).toEqual([]);
      const fourth = await register('13700000096');
      expect(fourth.body.levelRaisedBy).toEqual(['repeat_complainant']);
    } finally {
      await server.stop({ removeData: true });
    }
  });

  it('counts repeat complaints across a restart: the count comes from the read models, then from the log since their checkpoint', async () => {
    const server = await ApiServer.start();
    const dataDir = server.dataDir;
    const msisdn = '13700000098';
    const first = await server.call('POST', '/api/complaints', { as: people.agentZG, body: complaintBody({ customer: { msisdn } }) });
    expect(first.status).toBe(201);
    await server.stop({ removeData: false });

    const restarted = await ApiServer.start({ dataDir });
    try {
      const second = await restarted.call('POST', '/api/complaints', { as: people.agentZG, body: complaintBody({ customer: { msisdn } }) });
      expect(second.body.levelRaisedBy).toEqual([]);
      const third = await restarted.call('POST', '/api/complaints', { as: people.agentZG, body: complaintBody({ customer: { msisdn } }) });
      expect(third.body.levelRaisedBy).toEqual(['repeat_complainant']);
      // another number starts from nothing
      const other = await restarted.call('POST', '/api/complaints', { as: people.agentZG, body: complaintBody({ customer: { msisdn: '13700000097' } }) });
      expect(other.body.levelRaisedBy).toEqual([]);
    } finally {
      await restarted.stop({ removeData: true });
    }
  });
});
