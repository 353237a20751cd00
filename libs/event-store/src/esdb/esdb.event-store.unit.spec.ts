import { NO_STREAM } from '@kurrent/kurrentdb-client';
import { newEventId } from '../event-id';
import { ImportMismatchError } from '../event-log-import';
import { NewEvent, RecordedEvent } from '../event-store.port';
import { eventStoreContract } from '../testing/event-store.contract';
import { EsdbEventStore } from './esdb.event-store';
import { PositionIndexMismatchError } from './esdb.mapping';
import { EsdbEmulator } from './test/esdb-emulator';

/*
 * The adapter's logic (revision and position mapping, the port's idempotency
 * and expected revisions, catch-up subscriptions) against an in-memory model
 * of a KurrentDB server behind the client's calls. This is not the
 * EventStoreDB contract run: that one needs a server (EVENTSTORE_URL, in
 * event-store.contract.int.spec.ts). It shows that the adapter keeps the
 * port's promises given the server behaves as documented.
 */

function overEmulator(emulator = new EsdbEmulator({ systemEventEvery: 3 }), streamPrefix = '') {
  return async () => {
    const opened: EsdbEventStore[] = [];
    const open = async () => {
      const store = new EsdbEventStore({ client: emulator.client(), streamPrefix, readBatchSize: 7 });
      opened.push(store);
      return store;
    };
    return { store: await open(), reopen: open, cleanup: () => Promise.all(opened.map((store) => store.close())).then(() => undefined) };
  };
}

// A small read batch (7), so that reads of $all and of the index go over several pages.
eventStoreContract('EsdbEventStore over an emulated KurrentDB (no server)', () => overEmulator()(), {
  durable: true,
  eventIdsUniquePerStreamOnly: true,
});
eventStoreContract('EsdbEventStore with a stream prefix over an emulated KurrentDB shared with another store (no server)', async () => {
  const emulator = new EsdbEmulator({ systemEventEvery: 2 });
  const neighbour = new EsdbEventStore({ client: emulator.client(), streamPrefix: 'other-' });
  await neighbour.append('s', [event(), event()], { expectedRevision: 'no_stream' });
  const fixture = await overEmulator(emulator, 'mine-')();
  return { ...fixture, cleanup: () => Promise.all([fixture.cleanup(), neighbour.close()]).then(() => undefined) };
}, { durable: true, eventIdsUniquePerStreamOnly: true });

describe('EsdbEventStore (beyond the contract, over an emulated KurrentDB)', () => {
  let emulator: EsdbEmulator;
  let stores: EsdbEventStore[];
  const open = (options: { streamPrefix?: string; resubscribeDelayMs?: number; onConnectionError?: (error: unknown) => void } = {}) => {
    const store = new EsdbEventStore({ client: emulator.client(), readBatchSize: 5, ...options });
    stores.push(store);
    return store;
  };

  beforeEach(() => {
    emulator = new EsdbEmulator({ systemEventEvery: 2 });
    stores = [];
  });
  afterEach(() => Promise.all(stores.map((store) => store.close())));

  it('numbers the log 1, 2, 3… where EventStoreDB has byte offsets with gaps and system events in between', async () => {
    const store = open();
    await store.append('a', [event(), event()], { expectedRevision: 'no_stream' });
    await store.append('b', [event()], { expectedRevision: 'no_stream' });
    await store.append('a', [event()], { expectedRevision: 2 });

    const raw = emulator.log.map((record) => [record.streamId, Number(record.revision), Number(record.prepare)]);
    expect(raw.some(([streamId]) => String(streamId).startsWith('$'))).toBe(true);
    expect(raw.filter(([streamId]) => streamId === 'a').map(([, revision]) => revision)).toEqual([0, 1, 2]);
    expect((await store.readAll({ fromPosition: 0 })).map((e) => [e.streamId, e.revision, e.position])).toEqual([
      ['a', 1, 1],
      ['a', 2, 2],
      ['b', 1, 3],
      ['a', 3, 4],
    ]);
    expect((await store.readStream('a')).events.map((e) => e.position)).toEqual([1, 2, 4]);
  });

  it('sends every append with the exact expected revision it read, whatever the caller expected', async () => {
    const store = open();
    await store.append('s', [event()], { expectedRevision: 'any' });
    await store.append('s', [event()], { expectedRevision: 'stream_exists' });
    await store.append('s', [event()], { expectedRevision: 2 });

    expect(emulator.appendCalls.map((call) => call.streamState)).toEqual([NO_STREAM, 0n, 1n]);
  });

  it('gives two processes on one database the same positions, and each sees what the other appends', async () => {
    const [first, second] = [open(), open()];
    await first.append('s', [event(), event()], { expectedRevision: 'no_stream' });
    const fromSecond = await second.append('t', [event()], { expectedRevision: 'no_stream' });
    const fromFirst = await first.append('s', [event()], { expectedRevision: 2 });

    expect([fromSecond.lastPosition, fromFirst.lastPosition]).toEqual([3, 4]);
    expect(await second.readAll({ fromPosition: 0 })).toEqual(await first.readAll({ fromPosition: 0 }));
    expect(await second.headPosition()).toBe(4);
  });

  it('refuses a stale expected revision after another process wrote, even though its own read was older', async () => {
    const [first, second] = [open(), open()];
    await first.append('s', [event()], { expectedRevision: 'no_stream' });
    await second.append('s', [event()], { expectedRevision: 1 });

    await expect(first.append('s', [event()], { expectedRevision: 1 })).rejects.toMatchObject({ name: 'WrongExpectedRevisionError', actual: 2 });
  });

  it('stores a retry that races its original in another process once: EventStoreDB recognises the same ids at the same revision', async () => {
    const [first, second] = [open(), open()];
    const events = [event(), event()];

    const results = await Promise.all([
      first.append('s', events, { expectedRevision: 'no_stream' }),
      second.append('s', events, { expectedRevision: 'no_stream' }),
    ]);

    expect(results.map((r) => [r.nextRevision, r.lastPosition])).toEqual([
      [2, 2],
      [2, 2],
    ]);
    expect(await first.headPosition()).toBe(2);
  });

  it('stores an id reused in another stream (no index of event ids in EventStoreDB), and still refuses one reused in its stream', async () => {
    const store = open();
    const reused = event();
    await store.append('s', [reused], { expectedRevision: 'no_stream' });

    await expect(store.append('t', [reused], { expectedRevision: 'no_stream' })).resolves.toMatchObject({ written: true });
    await expect(store.append('s', [event(), reused], { expectedRevision: 1 })).rejects.toMatchObject({ name: 'DuplicateEventIdError' });
  });

  it('refuses what EventStoreDB keeps for itself: $ streams, $ event types, the $recordedAt metadata key', async () => {
    const store = open();
    await expect(store.append('$s', [event()], { expectedRevision: 'any' })).rejects.toThrow(TypeError);
    await expect(store.append('s', [event('$Mine')], { expectedRevision: 'any' })).rejects.toThrow(TypeError);
    await expect(store.append('s', [{ ...event(), metadata: { $recordedAt: 'x' } }], { expectedRevision: 'any' })).rejects.toThrow(TypeError);
    expect(emulator.appendCalls).toEqual([]);
  });

  it('keeps the log of each stream prefix apart, each numbered from 1', async () => {
    const [mine, theirs] = [open({ streamPrefix: 'mine-' }), open({ streamPrefix: 'theirs-' })];
    await theirs.append('s', [event(), event()], { expectedRevision: 'no_stream' });
    await mine.append('s', [event('Mine')], { expectedRevision: 'no_stream' });

    expect((await mine.readAll({ fromPosition: 0 })).map((e) => [e.streamId, e.type, e.position])).toEqual([['s', 'Mine', 1]]);
    expect(await theirs.headPosition()).toBe(2);
    expect(emulator.log.filter((r) => r.streamId === 'mine-s')).toHaveLength(1);
  });

  it('subscribes again from the last event seen when the connection drops: nothing lost, nothing twice', async () => {
    const errors: unknown[] = [];
    const store = open({ resubscribeDelayMs: 5, onConnectionError: (error) => errors.push(error) });
    await store.append('s', [event(), event(), event()], { expectedRevision: 'any' });
    const delivered: number[] = [];
    const subscription = store.subscribe((e) => void delivered.push(e.position), { fromPosition: 1 });
    await subscription.caughtUp();

    emulator.dropSubscriptions();
    await store.append('s', [event(), event()], { expectedRevision: 'any' });
    await subscription.caughtUp();
    await subscription.close();

    expect(delivered).toEqual([2, 3, 4, 5]);
    expect(errors).toHaveLength(1);
  });

  it('starts a subscription from a position past the head with the first event after it', async () => {
    const store = open();
    await store.append('s', [event()], { expectedRevision: 'any' });
    const delivered: number[] = [];
    const subscription = store.subscribe((e) => void delivered.push(e.position), { fromPosition: 3 });
    await subscription.caughtUp();

    await store.append('s', [event(), event(), event()], { expectedRevision: 'any' });
    await subscription.caughtUp();
    await subscription.close();

    expect(delivered).toEqual([4]);
  });

  it('fails rather than renumber the log when events of its streams were scavenged away', async () => {
    const store = open();
    await store.append('gone', [event()], { expectedRevision: 'any' });
    await store.append('kept', [event(), event()], { expectedRevision: 'any' });
    expect(await store.headPosition()).toBe(3);

    emulator.scavengeStream('gone');

    await expect(store.readAll({ fromPosition: 0 })).rejects.toBeInstanceOf(PositionIndexMismatchError);
  });

  it('names EventStoreDB as unreachable when it is down', async () => {
    const store = open();
    emulator.down = true;
    await expect(store.headPosition()).rejects.toMatchObject({ name: 'EventStoreUnavailableError' });
    await expect(store.append('s', [event()], { expectedRevision: 'any' })).rejects.toMatchObject({ name: 'EventStoreUnavailableError' });
  });

  describe('importEvents', () => {
    const copied = (events: RecordedEvent[]) => events.map((e) => ({ ...e, recordedAt: '2024-02-29T23:59:59.123Z' }));

    it('keeps revisions, ids, data, metadata and the recorded time, at the same positions', async () => {
      const source = open({ streamPrefix: 'source-' });
      await source.append('a', [event('A', { n: 1 }), { ...event('B', 2), metadata: { actor: 'u-1' } }], { expectedRevision: 'no_stream' });
      await source.append('b', [event('C', null)], { expectedRevision: 'no_stream' });
      await source.append('a', [event('D', [1])], { expectedRevision: 2 });
      const log = copied(await source.readAll({ fromPosition: 0 }));
      const target = open({ streamPrefix: 'target-' });

      await target.importEvents(log.slice(0, 2));
      await target.importEvents(log.slice(2));

      expect(await target.readAll({ fromPosition: 0 })).toEqual(log);
    });

    it('refuses events that would not land at their own position or revision', async () => {
      const source = open({ streamPrefix: 'source-' });
      await source.append('a', [event(), event()], { expectedRevision: 'no_stream' });
      const log = await source.readAll({ fromPosition: 0 });
      const target = open({ streamPrefix: 'target-' });

      await expect(target.importEvents(log.slice(1))).rejects.toBeInstanceOf(ImportMismatchError);
      await target.append('a', [event()], { expectedRevision: 'no_stream' });
      await expect(target.importEvents([{ ...log[0], position: 2 }])).rejects.toBeInstanceOf(ImportMismatchError);
      expect(await target.headPosition()).toBe(1);
    });
  });
});

function event(type = 'Tested', data: unknown = {}): NewEvent {
  return { id: newEventId(), type, data };
}
