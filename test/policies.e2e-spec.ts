import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServer, complaintBody, people } from './support/api-server';

jest.setTimeout(60_000);

const EXAMPLE = join(__dirname, '../config/policies.example.json');
const roamingHandler = { sub: 'roaming-01', role: 'handler', department: 'roaming' } as const;

/**
 * Issue 4, item 7, over HTTP: policies are configured in POLICY_FILE and
 * versioned; a clock is judged by the policy in force when it started (a
 * complaint's level clock by the version it was registered under, a
 * department's hour by the one in force at the dispatch), and a version once
 * in force can be neither changed nor dropped.
 */
describe('versioned policies from POLICY_FILE', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'complaints-policies-'));
  const files = mkdtempSync(join(tmpdir(), 'complaints-policy-files-'));
  const example = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
  const policyFile = (name: string, content: object) => {
    writeFileSync(join(files, name), JSON.stringify(content));
    return join(files, name);
  };
  let api: ApiServer | undefined;

  // A restarted test server's clock starts at the real time and only moves forward: the story happens in 2040.
  const start = async (env: Record<string, string>, now: string) => {
    api = await ApiServer.start({ dataDir, env: { COMPLAINTS_TEST_CLOCK: '1', ...env } });
    expect((await api.call('POST', '/api/test/clock', { as: people.admin, body: { now } })).status).toBe(200);
    return api;
  };
  const stop = async () => {
    await api?.stop();
    api = undefined;
  };

  afterAll(async () => {
    if (api) await api.stop({ removeData: true });
    else rmSync(dataDir, { recursive: true, force: true });
    rmSync(files, { recursive: true, force: true });
  });

  it('judges each clock by the policy in force when it started, and refuses a file that rewrites a version in force', async () => {
    const history = async (id: string) => (await api!.call('GET', `/api/complaints/${id}/history`, { as: people.agentZG })).body.events as { type: string; data: any }[];

    // 1. the built-in policy: a complaint registered under 2026.1, and a work order with its hour
    let server = await start({}, '2040-03-05T01:00:00.000Z');
    const old = (await server.call('POST', '/api/complaints', { as: people.agentZG, body: complaintBody() })).body;
    expect(old.policyVersion).toBe('2026.1');
    const oldBilling = (await server.call('POST', `/api/complaints/${old.id}/dispatch`, { as: people.agentZG, body: { department: 'billing-center' } })).body;
    expect(oldBilling.replyDueAt).toBe('2040-03-05T02:00:00.000Z');
    await stop();

    // 2. the example file puts 2027.1 in force: 45 minutes to reply, and a roaming desk
    server = await start({ POLICY_FILE: EXAMPLE }, '2040-03-05T01:30:00.000Z');
    const catalog = (await server.call('GET', '/api/catalog', { as: people.agentZG })).body;
    expect(catalog.policyVersion).toBe('2027.1');
    expect(catalog.departments).toContainEqual({ id: 'roaming', name: 'Roaming desk', nameZh: '漫游业务组' });

    // a clock started now is judged by 2027.1, on the old complaint too, and records the version
    const oldRoaming = await server.call('POST', `/api/complaints/${old.id}/dispatch`, { as: people.agentZG, body: { department: 'roaming' } });
    expect(oldRoaming.status).toBe(201);
    expect(oldRoaming.body.replyDueAt).toBe('2040-03-05T02:15:00.000Z');
    expect((await history(old.id)).filter((e) => e.type === 'WorkOrderDispatched').map((e) => e.data.policyVersion)).toEqual([undefined, '2027.1']);
    const fresh = (await server.call('POST', '/api/complaints', { as: people.agentZG, body: complaintBody({ customer: { msisdn: '13900001111', vip: false, groupCustomer: false, accountType: 'personal' } }) })).body;
    expect(fresh.policyVersion).toBe('2027.1');
    const freshOrder = await server.call('POST', `/api/complaints/${fresh.id}/dispatch`, { as: people.agentZG, body: { department: 'roaming' } });
    expect(freshOrder.status).toBe(201);
    expect(freshOrder.body.replyDueAt).toBe('2040-03-05T02:15:00.000Z');
    const malformed = await server.call('POST', `/api/complaints/${old.id}/dispatch`, { as: people.agentZG, body: { department: 'Roaming Desk' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors.map((e: { field: string }) => e.field)).toEqual(['department']);
    const unknown = await server.call('POST', `/api/complaints/${fresh.id}/dispatch`, { as: people.agentZG, body: { department: 'nowhere' } });
    expect(unknown.status).toBe(409);
    expect(unknown.body).toMatchObject({ code: 'department.unknown' });
    const queue = (await server.call('GET', '/api/queues/department/roaming', { as: roamingHandler })).body;
    expect(queue.items.map((i: { workOrderId: string }) => i.workOrderId).sort()).toEqual([oldRoaming.body.id, freshOrder.body.id].sort());

    // the hour started under 2026.1 runs out at 02:00, the 45 minutes started under 2027.1 at 02:15
    await server.call('POST', '/api/test/clock', { as: people.admin, body: { advanceMinutes: 31 } });
    expect((await history(old.id)).filter((e) => e.type === 'WorkOrderReplyOverdue').map((e) => [e.data.department, e.data.dueAt])).toEqual([['billing-center', '2040-03-05T02:00:00.000Z']]);
    expect((await history(fresh.id)).map((e) => e.type)).not.toContain('WorkOrderReplyOverdue');
    await server.call('POST', '/api/test/clock', { as: people.admin, body: { advanceMinutes: 15 } });
    const freshEvents = await history(fresh.id);
    const overdue = freshEvents.find((e) => e.type === 'WorkOrderReplyOverdue');
    expect(overdue?.data).toMatchObject({ department: 'roaming', dueAt: '2040-03-05T02:15:00.000Z' });
    expect(freshEvents.find((e) => e.type === 'ComplaintEscalated')?.data).toMatchObject({ to: 'branch-supervisor', deadlineId: overdue?.data.deadlineId });
    expect((await history(old.id)).filter((e) => e.type === 'WorkOrderReplyOverdue').map((e) => [e.data.department, e.data.dueAt])).toEqual([
      ['billing-center', '2040-03-05T02:00:00.000Z'],
      ['roaming', '2040-03-05T02:15:00.000Z'],
    ]);
    await stop();

    // 3. a file that changes 2027.1, or drops it, is refused: complaints are judged by it
    const changed = policyFile('changed.json', { ...example, versions: [{ ...example.versions[0], workOrderReplyMinutes: 30 }] });
    await expect(ApiServer.start({ dataDir, env: { POLICY_FILE: changed } })).rejects.toThrow(
      /POLICY_FILE: policy 2027\.1 was put in force at \S+ and the file now says otherwise; a version never changes/,
    );
    await expect(ApiServer.start({ dataDir, env: {} })).rejects.toThrow(/POLICY_FILE: policy 2027\.1 was put in force .* but the file no longer has it; keep it in the file \(it need not be current\)/);

    // 4. back to the built-in policy: new complaints and new clocks are judged by 2026.1 again, 2027.1 is kept for what it judges
    const back = policyFile('back.json', { ...example, current: '2026.1' });
    server = await start({ POLICY_FILE: back }, '2040-03-05T04:00:00.000Z');
    const later = (await server.call('POST', '/api/complaints', { as: people.agentZG, body: complaintBody({ customer: { msisdn: '13900002222', vip: false, groupCustomer: false, accountType: 'personal' } }) })).body;
    expect(later.policyVersion).toBe('2026.1');
    const forwarded = await server.call('POST', `/api/work-orders/${freshOrder.body.id}/forward`, { as: roamingHandler, body: { department: 'billing-center', reason: 'a billing matter after all' } });
    expect(forwarded.status).toBe(200);
    expect(forwarded.body.replyDueAt).toBe('2040-03-05T05:00:00.000Z');
    expect((await history(fresh.id)).find((e) => e.type === 'WorkOrderForwarded')?.data.policyVersion).toBe('2026.1');
    expect((await server.call('GET', `/api/complaints/${fresh.id}`, { as: people.agentZG })).body.policyVersion).toBe('2027.1');
  });
});
