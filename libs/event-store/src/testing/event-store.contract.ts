/// <reference types="jest" />
/**
 * The contract every adapter of the ports passes: one suite, run against each
 * adapter by `event-store.contract.int.spec.ts` (after emmett's
 * `emmett-tests/src/eventStore/features.ts`). A behaviour belongs here when it
 * is promised by the port; only what one adapter adds (group commit, polling
 * another process) is tested beside that adapter.
 */
import { newEventId } from '../event-id';
import {
  DuplicateEventIdError,
  EventStore,
  NewEvent,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
  WrongExpectedRevisionError,
} from '../event-store.port';
import { IdempotencyStore, StoredResponse } from '../idempotency.port';

export interface EventStoreFixture {
  /** an open, empty store */
  store: EventStore;
  /** opens the same storage again once `store` is closed; only for stores that keep their events */
  reopen?: () => Promise<EventStore>;
  /** closes every store the fixture opened and removes what it created */
  cleanup: () => Promise<void>;
}

export interface ContractFeatures {
  /** the store keeps its events across close and reopen: its fixture provides `reopen` */
  durable?: boolean;
  /**
   * The store recognises a reused event id within its stream only, not in
   * another stream (EventStoreDB keeps no index of event ids): the contract
   * then does not reuse an id in another stream. Every other rule of event
   * ids holds.
   */
  eventIdsUniquePerStreamOnly?: boolean;
}

export function eventStoreContract(name: string, factory: () => Promise<EventStoreFixture>, features: ContractFeatures = {}): void {
  describe(`${name} (event store contract)`, () => {
    let fixture: EventStoreFixture;
    let store: EventStore;

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
    });
    afterEach(() => fixture.cleanup());

    describe('append', () => {
      it('creates a stream whose events get revisions from 1 and positions from 1', async () => {
        const events = [event('Opened', { n: 1 }), event('Noted', { n: 2 }), event('Closed', { n: 3 })];

        const result = await store.append('complaint-1', events, { expectedRevision: 'no_stream' });

        expect(result).toEqual({ nextRevision: 3, lastPosition: 3, written: true });
        const { revision, events: stored } = await store.readStream('complaint-1');
        expect(revision).toBe(3);
        expect(stored.map(({ id, streamId, type, data, revision, position }) => ({ id, streamId, type, data, revision, position }))).toEqual(
          events.map(({ id, type, data }, i) => ({ id, streamId: 'complaint-1', type, data, revision: i + 1, position: i + 1 })),
        );
        for (const recorded of stored) expect(new Date(recorded.recordedAt).toISOString()).toBe(recorded.recordedAt);
        expect(await store.headPosition()).toBe(3);
      });

      it('accepts a number that is the current revision, 0 for a stream that does not exist', async () => {
        await expect(store.append('s', [event()], { expectedRevision: 0 })).resolves.toMatchObject({ nextRevision: 1 });
        await expect(store.append('s', [event(), event()], { expectedRevision: 1 })).resolves.toMatchObject({ nextRevision: 3 });
        await expect(store.append('s', [event()], { expectedRevision: 3 })).resolves.toMatchObject({ nextRevision: 4 });
      });

      it('refuses a number that is not the current revision, telling the actual one', async () => {
        await store.append('s', [event(), event()], { expectedRevision: 0 });

        for (const expected of [0, 1, 3]) {
          const error = await store.append('s', [event()], { expectedRevision: expected }).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(WrongExpectedRevisionError);
          expect(error).toMatchObject({ streamId: 's', expected, actual: 2 });
        }
        expect((await store.readStream('s')).revision).toBe(2);
      });

      it('checks no_stream, stream_exists and any', async () => {
        await expect(store.append('s', [event()], { expectedRevision: 'stream_exists' })).rejects.toBeInstanceOf(WrongExpectedRevisionError);
        await expect(store.append('s', [event()], { expectedRevision: 'no_stream' })).resolves.toMatchObject({ nextRevision: 1 });
        await expect(store.append('s', [event()], { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(WrongExpectedRevisionError);
        await expect(store.append('s', [event()], { expectedRevision: 'stream_exists' })).resolves.toMatchObject({ nextRevision: 2 });
        await expect(store.append('s', [event()], { expectedRevision: 'any' })).resolves.toMatchObject({ nextRevision: 3 });
        await expect(store.append('t', [event()], { expectedRevision: 'any' })).resolves.toMatchObject({ nextRevision: 1 });
      });

      it('refuses an empty append, ids that are not UUIDs, an id twice, and a malformed expected revision', async () => {
        await expect(store.append('s', [], { expectedRevision: 'any' })).rejects.toThrow(RangeError);
        await expect(store.append('s', [{ id: 'e-1', type: 'T', data: {} }], { expectedRevision: 'any' })).rejects.toThrow(TypeError);
        const twice = event();
        await expect(store.append('s', [twice, twice], { expectedRevision: 'any' })).rejects.toBeInstanceOf(DuplicateEventIdError);
        await expect(store.append('s', [event()], { expectedRevision: -1 })).rejects.toThrow(RangeError);
        await expect(store.append('s', [event()], { expectedRevision: 1.5 })).rejects.toThrow(RangeError);
        expect(await store.headPosition()).toBe(0);
      });

      it('stores nothing of an append whose data is not JSON', async () => {
        const append = store.append('s', [event(), event('T', { big: BigInt(1) })], { expectedRevision: 'any' });

        await expect(append).rejects.toThrow(TypeError);
        expect(await store.readStream('s')).toEqual({ revision: 0, events: [] });
      });

      it('round-trips data and metadata, and gives events without metadata an empty one', async () => {
        const data = { text: '宽带断网 ünïcödé', amount: 12.5, flags: [true, false, null], nested: { deep: { list: [1, { a: 'b' }] } } };
        const metadata = {
          actor: 'user-7',
          occurredAt: '2025-03-01T08:00:00.000Z',
          correlationId: 'corr-1',
          causationId: 'cause-1',
          channel: { name: '10086', line: 3 },
        };
        await store.append('s', [{ ...event('WithMetadata', data), metadata }, event('Bare', null)], { expectedRevision: 'no_stream' });

        const [fromStream, fromAll] = [(await store.readStream('s')).events, await store.readAll({ fromPosition: 0 })];
        for (const events of [fromStream, fromAll]) {
          expect(events.map((e) => [e.data, e.metadata])).toEqual([
            [data, metadata],
            [null, {}],
          ]);
        }
      });
    });

    describe('concurrency', () => {
      it('lets exactly one of two appends with the same expected revision win', async () => {
        await store.append('s', [event()], { expectedRevision: 'no_stream' });
        const [a, b] = [event('A'), event('B')];

        const results = await Promise.allSettled([
          store.append('s', [a], { expectedRevision: 1 }),
          store.append('s', [b], { expectedRevision: 1 }),
        ]);

        const winners = results.filter((r) => r.status === 'fulfilled');
        const losers = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(winners).toHaveLength(1);
        expect(losers).toHaveLength(1);
        expect(losers[0].reason).toBeInstanceOf(WrongExpectedRevisionError);
        const { events } = await store.readStream('s');
        expect(events).toHaveLength(2);
        expect([a.id, b.id]).toContain(events[1].id);
      });

      it('checks appends made together one after the other, so a failed one does not harm the rest', async () => {
        const results = await Promise.allSettled([
          store.append('s', [event()], { expectedRevision: 'no_stream' }),
          store.append('s', [event()], { expectedRevision: 'no_stream' }),
          store.append('s', [event(), event()], { expectedRevision: 1 }),
          store.append('t', [event()], { expectedRevision: 5 }),
          store.append('t', [event()], { expectedRevision: 'no_stream' }),
        ]);

        expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
        expect((await store.readStream('s')).revision).toBe(3);
        expect((await store.readStream('t')).revision).toBe(1);
      });

      it('serialises read-decide-append loops that retry on conflict', async () => {
        const handleCommand = async (n: number) => {
          for (;;) {
            const { revision } = await store.readStream('counter');
            try {
              return await store.append('counter', [event('Incremented', { n })], { expectedRevision: revision });
            } catch (error) {
              if (!(error instanceof WrongExpectedRevisionError)) throw error;
            }
          }
        };

        await Promise.all(Array.from({ length: 20 }, (_, n) => handleCommand(n)));

        const { revision, events } = await store.readStream('counter');
        expect(revision).toBe(20);
        expect(events.map((e) => (e.data as { n: number }).n).sort((x, y) => x - y)).toEqual(range(0, 19));
      });

      it('lands 200 appends in flight to many streams with correct revisions and gap-free positions', async () => {
        const appends = Array.from({ length: 200 }, (_, i) => ({
          streamId: `stream-${i % 20}`,
          events: Array.from({ length: 1 + (i % 3) }, () => event('Tested', { i })),
        }));

        const results = await Promise.all(appends.map((a) => store.append(a.streamId, a.events, { expectedRevision: 'any' })));

        const expectedAt = new Map<string, { streamId: string; revision: number }>();
        appends.forEach(({ streamId, events }, i) =>
          events.forEach((e, j) => expectedAt.set(e.id, { streamId, revision: results[i].nextRevision - events.length + 1 + j })),
        );
        const all = await store.readAll({ fromPosition: 0 });
        expect(all).toHaveLength(expectedAt.size);
        expect(all.map((e) => e.position)).toEqual(range(1, all.length));
        for (const e of all) expect({ streamId: e.streamId, revision: e.revision }).toEqual(expectedAt.get(e.id));
        for (let s = 0; s < 20; s++) {
          const { revision, events } = await store.readStream(`stream-${s}`);
          expect(events.map((e) => e.revision)).toEqual(range(1, revision));
        }
        expect(results.every((r) => r.written)).toBe(true);
      });

      it('creates 200 streams concurrently, each with its own multi-event append', async () => {
        const results = await Promise.all(
          Array.from({ length: 200 }, (_, i) => store.append(`new-${i}`, [event(), event()], { expectedRevision: 'no_stream' })),
        );

        expect(results.every((r) => r.nextRevision === 2 && r.written)).toBe(true);
        expect(new Set(results.map((r) => r.lastPosition)).size).toBe(200);
        expect(await store.headPosition()).toBe(400);
      });
    });

    describe('idempotency by event id', () => {
      it('recognises a retried append: same result, nothing written', async () => {
        await store.append('s', [event()], { expectedRevision: 'no_stream' });
        const events = [event(), event()];
        const first = await store.append('s', events, { expectedRevision: 1 });

        const retry = await store.append('s', events, { expectedRevision: 1 });

        expect(first).toEqual({ nextRevision: 3, lastPosition: 3, written: true });
        expect(retry).toEqual({ nextRevision: 3, lastPosition: 3, written: false });
        expect(await store.headPosition()).toBe(3);
      });

      it('recognises a retry after the stream moved on, whatever the expected revision says', async () => {
        const events = [event(), event()];
        const first = await store.append('s', events, { expectedRevision: 'no_stream' });
        await store.append('s', [event()], { expectedRevision: 2 });

        for (const expectedRevision of [0, 'no_stream', 'any'] as const) {
          await expect(store.append('s', events, { expectedRevision })).resolves.toEqual({ ...first, written: false });
        }
        expect(await store.headPosition()).toBe(3);
      });

      it('recognises a retry sent while the first attempt is still in flight', async () => {
        const events = [event(), event()];

        const results = await Promise.all([
          store.append('s', events, { expectedRevision: 'no_stream' }),
          store.append('s', events, { expectedRevision: 'no_stream' }),
        ]);

        expect(results.map((r) => r.written).sort()).toEqual([false, true]);
        expect(results[0].lastPosition).toBe(results[1].lastPosition);
        expect(await store.headPosition()).toBe(2);
      });

      it('refuses ids already stored anywhere else, writing nothing', async () => {
        const [a, b, c] = [event(), event(), event()];
        await store.append('s', [a, b], { expectedRevision: 'no_stream' });

        const reuses: [string, NewEvent[], number | 'any'][] = [
          ['s', [b, c], 'any'], // partly stored
          ['s', [c, a], 'any'], // partly stored, the stored one last
          ['s', [b, a], 'any'], // stored, in another order
          ['t', [a], 'any'], // stored in another stream
          ['s', [b], 0], // stored, but not right after the expected revision
        ];
        for (const [streamId, events, expectedRevision] of reuses) {
          if (features.eventIdsUniquePerStreamOnly && streamId !== 's') continue;
          await expect(store.append(streamId, events, { expectedRevision })).rejects.toBeInstanceOf(DuplicateEventIdError);
        }
        expect(await store.headPosition()).toBe(2);
        expect((await store.readStream('t')).revision).toBe(0);
      });
    });

    describe('reads', () => {
      it('reads a stream oldest first, from a revision on, with its current revision', async () => {
        await store.append('s', [event('E', 1), event('E', 2)], { expectedRevision: 'no_stream' });
        await store.append('other', [event('E', 'x')], { expectedRevision: 'no_stream' });
        await store.append('s', [event('E', 3)], { expectedRevision: 2 });

        expect(summary(await store.readStream('s'))).toEqual({ revision: 3, data: [1, 2, 3] });
        expect(summary(await store.readStream('s', { fromRevision: 2 }))).toEqual({ revision: 3, data: [2, 3] });
        expect(summary(await store.readStream('s', { fromRevision: 9 }))).toEqual({ revision: 3, data: [] });
        expect(summary(await store.readStream('missing'))).toEqual({ revision: 0, data: [] });
      });

      it('reads all streams in position order after a position, at most limit events', async () => {
        await store.append('a', [event('E', 1), event('E', 2)], { expectedRevision: 'no_stream' });
        await store.append('b', [event('E', 3)], { expectedRevision: 'no_stream' });
        await store.append('a', [event('E', 4), event('E', 5)], { expectedRevision: 2 });

        const data = (events: RecordedEvent[]) => events.map((e) => e.data);
        expect(data(await store.readAll({ fromPosition: 0 }))).toEqual([1, 2, 3, 4, 5]);
        expect(data(await store.readAll({ fromPosition: 2 }))).toEqual([3, 4, 5]);
        expect(data(await store.readAll({ fromPosition: 1, limit: 2 }))).toEqual([2, 3]);
        expect(data(await store.readAll({ fromPosition: 5 }))).toEqual([]);
        expect((await store.readAll({ fromPosition: 0 })).map((e) => [e.streamId, e.revision, e.position])).toEqual([
          ['a', 1, 1],
          ['a', 2, 2],
          ['b', 1, 3],
          ['a', 3, 4],
          ['a', 4, 5],
        ]);
      });

      it('has head position 0 when empty, then the last position', async () => {
        expect(await store.headPosition()).toBe(0);
        const { lastPosition } = await store.append('s', [event(), event()], { expectedRevision: 'any' });
        expect(await store.headPosition()).toBe(lastPosition);
      });
    });

    describe('subscribe', () => {
      let subscriptions: Subscription[];
      let overlapped: boolean;
      beforeEach(() => {
        subscriptions = [];
        overlapped = false;
      });
      afterEach(async () => {
        await Promise.all(subscriptions.map((s) => s.close()));
        expect(overlapped).toBe(false);
      });

      /** subscribes and collects what is delivered, noting if the handler ever runs twice at once */
      const collect = (options: SubscribeOptions, onEvent?: (e: RecordedEvent) => Promise<void>) => {
        const delivered: RecordedEvent[] = [];
        let running = false;
        const subscription = store.subscribe(async (e) => {
          overlapped ||= running;
          running = true;
          delivered.push(e);
          await onEvent?.(e);
          await nextTurn();
          running = false;
        }, options);
        subscriptions.push(subscription);
        return { delivered, subscription, positions: () => delivered.map((e) => e.position) };
      };

      it('catches up, then delivers live events, in order, once each, including those appended during the catch-up', async () => {
        for (let i = 0; i < 10; i++) await store.append(`s-${i % 3}`, [event()], { expectedRevision: 'any' });
        let appendedDuringCatchUp = false;
        const { subscription, positions } = collect({ fromPosition: 0, batchSize: 3 }, async (e) => {
          if (e.position === 2 && !appendedDuringCatchUp) {
            appendedDuringCatchUp = true;
            await store.append('s-0', [event(), event()], { expectedRevision: 'any' });
            await store.append('s-9', [event()], { expectedRevision: 'any' });
          }
        });

        await subscription.caughtUp();
        expect(positions().slice(0, 10)).toEqual(range(1, 10));
        // The handler appended 11..13 after that caughtUp() was called: the next call covers them.
        await subscription.caughtUp();
        expect(positions()).toEqual(range(1, 13));

        await Promise.all(Array.from({ length: 5 }, (_, i) => store.append(`live-${i}`, [event(), event()], { expectedRevision: 'any' })));
        await subscription.caughtUp();
        expect(positions()).toEqual(range(1, 23));
      });

      it('delivers events after the given position only, with everything that was stored', async () => {
        const metadata = { actor: 'user-1', correlationId: 'c-1' };
        await store.append('s', [event('A', 1), { ...event('B', 2), metadata }, event('C', 3)], { expectedRevision: 'any' });
        const { subscription, delivered } = collect({ fromPosition: 1 });

        await subscription.caughtUp();

        expect(delivered).toEqual((await store.readAll({ fromPosition: 1 })));
        expect(delivered.map((e) => [e.type, e.metadata])).toEqual([
          ['B', metadata],
          ['C', {}],
        ]);
      });

      it('caughtUp resolves at once on an empty store and for a position already passed', async () => {
        await collect({ fromPosition: 0 }).subscription.caughtUp();
        await store.append('s', [event()], { expectedRevision: 'any' });
        await collect({ fromPosition: 1 }).subscription.caughtUp();
      });

      it('close stops delivery after the running handler returns, and waits for it', async () => {
        await store.append('s', [event(), event(), event()], { expectedRevision: 'any' });
        const handlerEntered = deferred();
        const releaseHandler = deferred();
        let handlerReturned = false;
        const { subscription, positions } = collect({ fromPosition: 0 }, async () => {
          handlerEntered.resolve();
          await releaseHandler.promise;
          handlerReturned = true;
        });
        await handlerEntered.promise;

        let closed = false;
        const closing = subscription.close().then(() => (closed = true));
        await delay(20);
        expect(closed).toBe(false);
        releaseHandler.resolve();
        await closing;

        expect(handlerReturned).toBe(true);
        await store.append('s', [event()], { expectedRevision: 'any' });
        await collect({ fromPosition: 0 }).subscription.caughtUp();
        await delay(20);
        expect(positions()).toEqual([1]);
      });

      it('stops at a handler that throws and reports the error, without skipping the event', async () => {
        await store.append('s', [event(), event(), event()], { expectedRevision: 'any' });
        const failure = new Error('projection bug');
        const reported = deferred<unknown>();
        const { subscription, positions } = collect({ fromPosition: 0, onError: reported.resolve }, async (e) => {
          if (e.position === 2) throw failure;
        });

        expect(await reported.promise).toBe(failure);
        await expect(subscription.caughtUp()).rejects.toBe(failure);
        expect(positions()).toEqual([1, 2]);
      });
    });

    if (features.durable) {
      describe('durability', () => {
        const reopen = async () => {
          if (!fixture.reopen) throw new Error(`${name} is declared durable but its fixture cannot reopen it`);
          await store.close();
          store = await fixture.reopen();
        };

        it('keeps every event, revision and position across a reopen, and continues after them', async () => {
          const first = [event('A', { a: 1 }), { ...event('B', { b: 2 }), metadata: { actor: 'user-1' } }];
          await store.append('s', first, { expectedRevision: 'no_stream' });
          await store.append('t', [event('C', 3)], { expectedRevision: 'no_stream' });
          const before = await store.readAll({ fromPosition: 0 });

          await reopen();

          expect(await store.readAll({ fromPosition: 0 })).toEqual(before);
          expect((await store.readStream('s')).revision).toBe(2);
          expect(await store.headPosition()).toBe(3);
          await expect(store.append('s', first, { expectedRevision: 'no_stream' })).resolves.toEqual({
            nextRevision: 2,
            lastPosition: 2,
            written: false,
          });
          await expect(store.append('s', [event()], { expectedRevision: 2 })).resolves.toEqual({
            nextRevision: 3,
            lastPosition: 4,
            written: true,
          });
        });

        it('commits the appends in flight when closed', async () => {
          const inFlight = Array.from({ length: 10 }, (_, i) => store.append(`s-${i}`, [event()], { expectedRevision: 'no_stream' }));

          await reopen();

          await expect(Promise.all(inFlight)).resolves.toHaveLength(10);
          expect(await store.headPosition()).toBe(10);
        });
      });
    }
  });
}

export interface IdempotencyStoreFixture {
  store: IdempotencyStore;
  /** opens the same storage again once `store` is closed; only for stores that keep their keys */
  reopen?: () => Promise<IdempotencyStore>;
  cleanup: () => Promise<void>;
}

export function idempotencyStoreContract(
  name: string,
  factory: () => Promise<IdempotencyStoreFixture>,
  features: ContractFeatures = {},
): void {
  describe(`${name} (idempotency store contract)`, () => {
    let fixture: IdempotencyStoreFixture;
    let store: IdempotencyStore;
    const response = (status: number, body: unknown, extra: Partial<StoredResponse> = {}): StoredResponse => ({
      status,
      body,
      requestHash: `sha256-${status}`,
      createdAt: '2025-03-01T08:00:00.000Z',
      ...extra,
    });

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
    });
    afterEach(() => fixture.cleanup());

    it('returns nothing for an unknown key, and the stored response for a known one', async () => {
      const created = response(201, { id: 'c-1', nested: [1, { a: null }] }, { headers: { etag: '"1"', location: '/api/complaints/c-1' } });
      await store.put('user-1', 'key-1', created);

      expect(await store.get('user-1', 'key-1')).toEqual(created);
      expect(await store.get('user-1', 'key-2')).toBeUndefined();
    });

    it('keeps the first response for a key', async () => {
      await store.put('user-1', 'key-1', response(201, { attempt: 1 }));
      await store.put('user-1', 'key-1', response(500, { attempt: 2 }));

      expect(await store.get('user-1', 'key-1')).toEqual(response(201, { attempt: 1 }));
    });

    it('keeps scopes apart', async () => {
      await store.put('user-1', 'key', response(201, 'one'));
      await store.put('user-2', 'key', response(409, 'two'));

      expect((await store.get('user-1', 'key'))?.body).toBe('one');
      expect((await store.get('user-2', 'key'))?.body).toBe('two');
    });

    it('keeps a response without a body or headers as it was', async () => {
      await store.put('user-1', 'key', response(204, undefined));

      expect(await store.get('user-1', 'key')).toEqual({ status: 204, requestHash: 'sha256-204', createdAt: '2025-03-01T08:00:00.000Z' });
    });

    if (features.durable) {
      it('remembers keys across a reopen', async () => {
        if (!fixture.reopen) throw new Error(`${name} is declared durable but its fixture cannot reopen it`);
        await store.put('user-1', 'key-1', response(201, { id: 'c-1' }));
        await store.close();

        store = await fixture.reopen();

        expect(await store.get('user-1', 'key-1')).toEqual(response(201, { id: 'c-1' }));
      });
    }
  });
}

function event(type = 'Tested', data: unknown = {}): NewEvent {
  return { id: newEventId(), type, data };
}

function summary({ revision, events }: { revision: number; events: RecordedEvent[] }) {
  return { revision, data: events.map((e) => e.data) };
}

/** from..to inclusive */
function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(to - from + 1, 0) }, (_, i) => from + i);
}

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
