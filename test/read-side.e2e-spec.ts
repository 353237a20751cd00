import { ApiServer, complaintBody, people } from './support/api-server';

/** Issue 3's queries over HTTP, on a server whose clock the test moves. */
describe('queues, search, statistics, reports and the bulletin', () => {
  let api: ApiServer;
  const ids: Record<string, string> = {};
  const at = (iso: string) => api.call('POST', '/api/test/clock', { as: people.admin, body: { now: iso } });
  const advance = (minutes: number) => api.call('POST', '/api/test/clock', { as: people.admin, body: { advanceMinutes: minutes } });

  beforeAll(async () => {
    api = await ApiServer.start({ env: { COMPLAINTS_TEST_CLOCK: '1' } });
    expect((await at('2026-11-02T01:00:00.000Z')).status).toBe(200); // 09:00 in Beijing
    ids.c1 = (await api.call('POST', '/api/complaints', { as: people.agentZG, body: complaintBody({ customer: { msisdn: '13811112222', name: '王小明' } }) })).body.id;
    await advance(10);
    ids.c2 = (
      await api.call('POST', '/api/complaints', {
        as: people.agentZG,
        body: complaintBody({ category: 'network', subcategory: '无信号', customer: { msisdn: '13933334444', name: '赵丽', vip: true } }),
      })
    ).body.id;
    ids.c3 = (await api.call('POST', '/api/complaints', { as: people.agentGX, body: complaintBody({ branch: 'GX', category: 'service', subcategory: '服务态度' }) })).body.id;
    await advance(5);
    ids.w1 = (await api.call('POST', `/api/complaints/${ids.c1}/dispatch`, { as: people.agentZG, body: { department: 'billing-center' } })).body.id;
    await advance(70); // the department misses its hour
  });

  afterAll(async () => {
    await api.stop();
  });

  it('the department queue and the overdue queue show the late work order', async () => {
    const inbox = await api.call('GET', '/api/queues/department/billing-center', { as: people.billingHandler });
    expect(inbox.status).toBe(200);
    expect(inbox.body.items).toEqual([expect.objectContaining({ workOrderId: ids.w1, overdue: true, secondsLeft: -600 })]);
    expect((await api.call('GET', '/api/queues/department/eoms', { as: people.billingHandler })).status).toBe(403);
    const overdue = await api.call('GET', '/api/queues/overdue', { as: people.supervisorZG });
    expect(overdue.status).toBe(200);
    expect(overdue.body.workOrders.map((w: { workOrderId: string }) => w.workOrderId)).toEqual([ids.w1]);
  });

  it('the desk queue puts the VIP first, and asOf shows the desk as it was', async () => {
    const queue = await api.call('GET', '/api/queues/desk', { as: people.agentZG });
    expect(queue.status).toBe(200);
    expect(queue.body.items.map((i: { complaintId: string }) => i.complaintId)).toEqual([ids.c2, ids.c1]);
    expect(queue.body.items[0]).toMatchObject({ vip: true, level: 2 });
    const before = await api.call('GET', '/api/queues/desk?asOf=2026-11-02T01:05:00.000Z', { as: people.agentZG });
    expect(before.body.items.map((i: { complaintId: string; status: string }) => [i.complaintId, i.status])).toEqual([[ids.c1, 'registered']]);
    expect((await api.call('GET', '/api/queues/desk?branch=GX', { as: people.agentZG })).status).toBe(403);
    const bad = await api.call('GET', '/api/queues/desk?asOf=yesterday&colour=red', { as: people.agentZG });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['asOf', 'colour']);
  });

  it('closes the loop late, and the statistics charge the late hop to its department', async () => {
    await api.call('POST', `/api/work-orders/${ids.w1}/reply`, { as: people.billingHandler, body: { opinion: '已退还重复扣费', resolved: true } });
    await api.call('POST', `/api/complaints/${ids.c1}/customer-reply`, { as: people.agentZG, body: { method: 'phone', content: '已退费' } });
    await api.call('POST', `/api/complaints/${ids.c1}/satisfaction`, { as: people.agentZG, body: { satisfied: true } });
    await api.call('POST', `/api/complaints/${ids.c1}/archive`, { as: people.agentZG });

    const stats = await api.call('GET', '/api/stats/summary?from=2026-11-01T16:00:00.000Z&to=2026-11-02T16:00:00.000Z', { as: people.analyst });
    expect(stats.status).toBe(200);
    expect(stats.body).toMatchObject({ registered: 3, byCategory: { billing: 1, network: 1, service: 1 }, byBranch: { ZG: 2, GX: 1 }, archived: 1 });
    expect(stats.body.byDepartment).toEqual([expect.objectContaining({ department: 'billing-center', received: 1, replied: 1, onTime: 0, judged: 1, compliance: 0 })]);
    expect(stats.body.satisfaction).toEqual({ asked: 1, satisfied: 1, rate: 1 });
    const zg = await api.call('GET', '/api/stats/summary?from=2026-11-01T16:00:00.000Z&to=2026-11-02T16:00:00.000Z', { as: people.supervisorZG });
    expect(zg.body.registered).toBe(2);
    expect((await api.call('GET', '/api/stats/summary', { as: people.agentZG })).status).toBe(403);
    expect((await api.call('GET', '/api/stats/summary', { as: people.billingHandler })).status).toBe(403);

    const queue = await api.call('GET', '/api/queues/desk', { as: people.agentZG });
    expect(queue.body.items.map((i: { complaintId: string }) => i.complaintId)).toEqual([ids.c2]);
  });

  it('searches by number and pages with a cursor; analysts see masked numbers', async () => {
    const first = await api.call('GET', '/api/complaints?branch=ZG&limit=1', { as: people.agentZG });
    expect(first.status).toBe(200);
    expect(first.body.items.map((i: { id: string }) => i.id)).toEqual([ids.c2]);
    const second = await api.call('GET', `/api/complaints?branch=ZG&limit=1&cursor=${first.body.nextCursor}`, { as: people.agentZG });
    expect(second.body.items.map((i: { id: string }) => i.id)).toEqual([ids.c1]);
    expect(second.body.nextCursor).toBeNull();
    const byNumber = await api.call('GET', '/api/complaints?msisdn=13933334444', { as: people.analyst });
    expect(byNumber.body.items).toEqual([expect.objectContaining({ id: ids.c2, msisdn: '139****4444', customerName: '赵*' })]);
    expect((await api.call('GET', '/api/complaints?cursor=nonsense', { as: people.agentZG })).status).toBe(400);
    expect((await api.call('GET', '/api/complaints', { as: people.billingHandler })).status).toBe(403);
  });

  it('the daily report in JSON and as a CSV a spreadsheet opens, Chinese intact', async () => {
    const json = await api.call('GET', '/api/reports/daily?date=2026-11-02', { as: people.analyst });
    expect(json.status).toBe(200);
    expect(json.body.period).toMatchObject({ kind: 'daily', label: '2026-11-02' });
    expect(json.body.byBranch.map((b: { branch: string }) => b.branch)).toEqual(['GX', 'ZG']);
    const response = await fetch(`${api.url}/api/reports/ten-day?date=2026-11-02`, { headers: { authorization: `Bearer ${api.token(people.analyst)}`, accept: 'text/csv' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/csv');
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').trim().split('\n');
    expect(lines[0].split(',').slice(0, 3)).toEqual(['统计周期', '分公司', '受理量']);
    expect(lines.slice(1).map((l) => l.split(',')[1])).toEqual(['GX', 'ZG', '合计']);
    expect(lines[1].split(',')[0]).toBe('2026-11 上旬');
    expect((await api.call('GET', '/api/reports/weekly?date=2026-11-02', { as: people.analyst })).status).toBe(404);
    expect((await api.call('GET', '/api/reports/daily?date=2026-02-30', { as: people.analyst })).status).toBe(400);
  });

  it('the bulletin lists causes by MIIT class, and evaluates last period\'s measures', async () => {
    const measure = await api.call('POST', '/api/bulletins/measures', {
      as: people.analyst,
      body: { period: 'monthly', date: '2026-11-02', category: 'billing', subcategory: 'double charge', measure: '每日核对流量套餐计费' },
    });
    expect(measure.status).toBe(201);
    const november = await api.call('GET', '/api/reports/bulletin?period=monthly&date=2026-11-15', { as: people.analyst });
    expect(november.status).toBe(200);
    expect(november.body.total).toBe(3);
    expect(november.body.topCauses).toContainEqual(expect.objectContaining({ category: 'billing', subcategory: 'double charge', miitClass: 'billing_dispute', miitClassName: '收费争议', count: 1 }));
    expect(november.body.measuresRecorded).toEqual([expect.objectContaining({ measure: '每日核对流量套餐计费' })]);

    await at('2026-12-03T02:00:00.000Z');
    await api.call('POST', '/api/complaints', { as: people.agentZG, body: complaintBody({ category: 'service', subcategory: '服务态度' }) });
    const december = await api.call('GET', '/api/reports/bulletin?period=monthly&date=2026-12-03', { as: people.analyst });
    expect(december.body.measuresEvaluated).toEqual([
      expect.objectContaining({ measure: '每日核对流量套餐计费', rateBefore: 0.3333, rateAfter: 0, verdict: 'improved' }),
    ]);
    expect((await api.call('POST', '/api/bulletins/measures', { as: people.agentZG, body: { period: 'monthly', date: '2026-12-01', category: 'billing', measure: 'x' } })).status).toBe(403);
  });

  it('every unmasked read of a complaint by a person is recorded, and an admin lists them', async () => {
    await api.call('GET', `/api/complaints/${ids.c2}`, { as: people.supervisorZG });
    await api.call('GET', `/api/complaints/${ids.c2}`, { as: people.analyst });
    const reads = await api.call('GET', `/api/admin/personal-data-reads?complaintId=${ids.c2}`, { as: people.admin });
    expect(reads.status).toBe(200);
    const viewers = reads.body.items.map((r: { viewer: string; view: string }) => `${r.viewer}:${r.view}`);
    expect(viewers).toContain('sup-zg:complaint');
    expect(viewers.some((v: string) => v.startsWith('analyst-1'))).toBe(false);
    expect((await api.call('GET', '/api/admin/personal-data-reads', { as: people.supervisorZG })).status).toBe(403);
  });
});
