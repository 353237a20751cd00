import { complaintDecider, ComplaintCommand, ComplaintEvent, CommandRefused } from '@complaints/domain';
import { InMemoryEventStore, newEventId } from '@complaints/event-store';
import { v5 as uuidv5 } from 'uuid';
import { CommandPipeline, ConcurrencyConflictError, StaleRevisionError } from './command-pipeline';

const NOW = '2026-11-27T09:00:00.000Z';
const decider = complaintDecider();

const registerCommand: ComplaintCommand = {
  type: 'RegisterComplaint',
  context: { now: NOW, actor: 'desk-007' },
  data: {
    complaintId: 'c1',
    channel: 'business_hall',
    customer: { msisdn: '13812345678', vip: false, groupCustomer: false, accountType: 'personal' },
    branch: 'ZG',
    category: 'billing',
    description: 'double charge',
    priorComplaints: 0,
  },
};
const escalate = (reason: string): ComplaintCommand => ({ type: 'EscalateComplaint', context: { now: NOW, actor: 'desk-007' }, data: { complaintId: 'c1', reason } });

describe('the command pipeline', () => {
  let store: InMemoryEventStore;
  let pipeline: CommandPipeline;

  beforeEach(async () => {
    store = new InMemoryEventStore();
    pipeline = new CommandPipeline(store);
    await pipeline.execute({ streamId: 'complaint-c1', decider, command: registerCommand, eventIds: () => newEventId(), metadata: { actor: 'desk-007' } });
  });

  afterEach(() => store.close());

  it('loads, decides and appends at the expected revision', async () => {
    const result = await pipeline.execute({ streamId: 'complaint-c1', decider, command: escalate('late'), eventIds: () => newEventId(), metadata: { actor: 'desk-007' } });
    expect(result.revision).toBe(2);
    expect(result.events.map((e) => e.type)).toEqual(['ComplaintEscalated']);
    expect(result.state.status).not.toBe('none');
    const { events } = await store.readStream('complaint-c1');
    expect(events.map((e) => [e.type, e.metadata.actor])).toEqual([
      ['ComplaintRegistered', 'desk-007'],
      ['ComplaintEscalated', 'desk-007'],
    ]);
  });

  it('writes nothing when the decider refuses', async () => {
    const archive: ComplaintCommand = { type: 'ArchiveComplaint', context: { now: NOW, actor: 'x' }, data: { complaintId: 'c1' } };
    await expect(pipeline.execute({ streamId: 'complaint-c1', decider, command: archive, eventIds: () => newEventId(), metadata: {} })).rejects.toBeInstanceOf(CommandRefused);
    expect((await store.readStream('complaint-c1')).revision).toBe(1);
  });

  it('refuses a stale expected revision without retrying', async () => {
    await expect(
      pipeline.execute({ streamId: 'complaint-c1', decider, command: escalate('x'), expectedRevision: 0, eventIds: () => newEventId(), metadata: {} }),
    ).rejects.toEqual(expect.any(StaleRevisionError));
    expect((await store.readStream('complaint-c1')).revision).toBe(1);
  });

  it('recognises a command it already applied by its event ids and writes nothing more', async () => {
    const ids = (i: number) => uuidv5(`key-1:${i}`, '6f1d3c1e-8a4b-4f60-9a57-6a8f0c2e4d11');
    const first = await pipeline.execute({ streamId: 'complaint-c1', decider, command: escalate('late'), eventIds: ids, metadata: {} });
    const retry = await pipeline.execute({ streamId: 'complaint-c1', decider, command: escalate('late'), eventIds: ids, metadata: {} });
    expect(first.replayed).toBe(false);
    expect(retry.replayed).toBe(true);
    expect(retry.events).toEqual(first.events);
    expect((await store.readStream('complaint-c1')).revision).toBe(2);
  });

  it('decides again on the new state when another writer got there first', async () => {
    // a writer that slips in between this pipeline's read and its append, once
    const racing = new CommandPipeline(store);
    const readStream = store.readStream.bind(store);
    let raced = false;
    jest.spyOn(store, 'readStream').mockImplementation(async (streamId, options) => {
      const result = await readStream(streamId, options);
      if (!raced) {
        raced = true;
        await racing.execute({ streamId, decider, command: escalate('first'), eventIds: () => newEventId(), metadata: {} });
      }
      return result;
    });
    const result = await pipeline.execute({ streamId: 'complaint-c1', decider, command: escalate('second'), eventIds: () => newEventId(), metadata: {}, retries: 1 });
    const escalations = (result.events as ComplaintEvent[]).map((e) => e.type === 'ComplaintEscalated' && e.data.to);
    expect(escalations).toEqual(['branch-customer-supervisor']); // decided on the state after the first escalation (to the branch supervisor)
    expect((await readStream('complaint-c1')).revision).toBe(3);
  });

  it('gives up with a conflict when retries are not allowed', async () => {
    const readStream = store.readStream.bind(store);
    jest.spyOn(store, 'readStream').mockImplementation(async (streamId, options) => {
      const result = await readStream(streamId, options);
      await store.append(streamId, [{ id: newEventId(), type: 'ComplaintEscalated', data: { complaintId: 'c1', from: 'desk', to: 'branch-customer-supervisor', trigger: 'manual', reason: 'r', escalatedAt: NOW } }], { expectedRevision: 'any' });
      return result;
    });
    await expect(pipeline.execute({ streamId: 'complaint-c1', decider, command: escalate('x'), eventIds: () => newEventId(), metadata: {} })).rejects.toBeInstanceOf(ConcurrencyConflictError);
  });

  describe('expectNew: a creation under a new id skips the read', () => {
    const registerAt = (id: string, now: string): ComplaintCommand =>
      ({ ...registerCommand, context: { now, actor: 'desk-007' }, data: { ...registerCommand.data, complaintId: id } }) as ComplaintCommand;

    it('does not read a stream it expects new, and writes the events', async () => {
      const reads = jest.spyOn(store, 'readStream');
      const result = await pipeline.execute({ streamId: 'complaint-c2', decider, command: registerAt('c2', NOW), expectNew: true, eventIds: () => newEventId(), metadata: {} });
      expect(reads).not.toHaveBeenCalled();
      expect(result).toMatchObject({ revision: 1, replayed: false });
      expect((await store.readStream('complaint-c2')).events.map((e) => e.type)).toEqual(['ComplaintRegistered']);
    });

    it('a retry with the same event ids answers with what was stored then, not what would be decided now', async () => {
      const id = uuidv5('c3', uuidv5.URL);
      await pipeline.execute({ streamId: 'complaint-c3', decider, command: registerAt('c3', NOW), expectNew: true, eventIds: () => id, metadata: {} });
      const retry = await pipeline.execute({ streamId: 'complaint-c3', decider, command: registerAt('c3', '2026-11-27T10:00:00.000Z'), expectNew: true, eventIds: () => id, metadata: {} });
      expect(retry.replayed).toBe(true);
      expect(retry.revision).toBe(1);
      expect((retry.events[0].data as { registeredAt: string }).registeredAt).toBe(NOW);
      expect((await store.readStream('complaint-c3')).revision).toBe(1);
    });

    it('a stream that exists after all is decided on as it is: the decider refuses a second registration', async () => {
      await expect(
        pipeline.execute({ streamId: 'complaint-c1', decider, command: registerCommand, expectNew: true, eventIds: () => newEventId(), metadata: {} }),
      ).rejects.toBeInstanceOf(CommandRefused);
      expect((await store.readStream('complaint-c1')).revision).toBe(1);
    });
  });
});
