import { CommandBus } from '@nestjs/cqrs';
import { CLOCK, ManualClock } from '@complaints/application';
import { DeadlineScheduler } from '../apps/api/src/deadlines/deadline-scheduler';
import { ROOT_LOGGER } from '../apps/api/src/platform/observability';
import { ReadModelsReader } from '../apps/api/src/queries/read-models.reader';
import { ApiServer, complaintBody, people } from './support/api-server';

describe('two deadline schedulers on one store', () => {
  let api: ApiServer;

  beforeAll(async () => {
    api = await ApiServer.start({ env: { COMPLAINTS_TEST_CLOCK: '1' } });
  });

  afterAll(async () => {
    await api.stop();
  });

  it('fire each deadline once', async () => {
    await api.call('POST', '/api/test/clock', { as: people.admin, body: { now: '2026-11-02T01:00:00.000Z' } });
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const { id } = (await api.call('POST', '/api/complaints', { as: people.agentZG, body: complaintBody() })).body;
      await api.call('POST', `/api/complaints/${id}/dispatch`, { as: people.agentZG, body: { department: 'billing-center' } });
      ids.push(id);
    }
    const app = api.app;
    const first = app.get(DeadlineScheduler);
    const second = new DeadlineScheduler(app.get(ReadModelsReader), app.get(CommandBus), app.get(CLOCK), app.get(ROOT_LOGGER), { intervalMs: 0 });
    (app.get(CLOCK) as ManualClock).advanceMinutes(61); // moved behind both schedulers' backs: they race for every deadline

    const [a, b] = await Promise.all([first.fireDue(), second.fireDue()]);
    expect(a + b).toBe(20 * 3); // per work order: the warnings at 50% and 80%, and the due time
    for (const id of ids) {
      const events = (await api.call('GET', `/api/complaints/${id}/history`, { as: people.agentZG })).body.events as { type: string }[];
      expect(events.filter((e) => e.type === 'WorkOrderReplyOverdue')).toHaveLength(1);
      expect(events.filter((e) => e.type === 'ClockWarningReached')).toHaveLength(2);
      expect(events.filter((e) => e.type === 'ComplaintEscalated')).toHaveLength(1);
    }
  });
});
