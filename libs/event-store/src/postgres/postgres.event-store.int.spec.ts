import { Client } from 'pg';
import { newEventId } from '../event-id';
import { DuplicateEventIdError, RecordedEvent, WrongExpectedRevisionError } from '../event-store.port';
import { PostgresEventStore, PostgresEventStoreOptions } from './postgres.event-store';
import { PostgresIdempotencyStore } from './postgres.idempotency.store';
import { describeWithPostgres, dropSchemas, freshSchemaName, POSTGRES_URL, withClient } from './test/postgres.test-schema';

/*
 * What the PostgreSQL adapter adds to the contract (event-store.contract.int.spec.ts): group commit, several
 * pools (as several processes would) writing one schema, commit order as readers see it, LISTEN/NOTIFY.
 */
describeWithPostgres('PostgresEventStore', () => {
  let schema: string;
  const schemas: string[] = [];
  const opened: { close(): Promise<void> }[] = [];
  /** a store on the test's schema, with a pool of its own: another process, as far as PostgreSQL can tell */
  const open = async (options: Partial<PostgresEventStoreOptions> = {}) => {
    const store = await PostgresEventStore.open({ connectionString: POSTGRES_URL, schema, ...options });
    opened.push(store);
    return store;
  };
  const event = (data: unknown = {}) => ({ id: newEventId(), type: 'Tested', data });

  beforeEach(() => {
    schema = freshSchemaName('store');
    schemas.push(schema);
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
    await dropSchemas(schemas.splice(0));
  });

  describe('group commit', () => {
    it('commits the appends made in one turn in one transaction', async () => {
      const commits: { appends: number; events: number }[] = [];
      const store = await open({ onCommit: (batch) => commits.push(batch) });

      await Promise.all(Array.from({ length: 64 }, (_, i) => store.append(`s-${i}`, [event(), event()], { expectedRevision: 'no_stream' })));

      expect(commits).toEqual([{ appends: 64, events: 128 }]);
    });

    it('takes at most maxBatch appends into one transaction', async () => {
      const commits: number[] = [];
      const store = await open({ maxBatch: 100, onCommit: (batch) => commits.push(batch.appends) });

      await Promise.all(Array.from({ length: 250 }, () => store.append('s', [event()], { expectedRevision: 'any' })));

      expect(commits).toEqual([100, 100, 50]);
      expect((await store.readStream('s')).revision).toBe(250);
    });

    it('rejects an append PostgreSQL refuses alone, leaving none of its events and no gap in the positions', async () => {
      const store = await open();
      await store.append('s', [event()], { expectedRevision: 'no_stream' });

      const results = await Promise.allSettled([
        store.append('a', [event()], { expectedRevision: 'no_stream' }),
        store.append('b\u0000nul', [event(), event()], { expectedRevision: 'no_stream' }), // text cannot hold NUL
        store.append('s', [event()], { expectedRevision: 'no_stream' }), // the stream exists
        store.append('c', [event(), event()], { expectedRevision: 'no_stream' }),
      ]);

      expect(results.map((r) => (r.status === 'rejected' ? (r.reason as Error).constructor.name : r.value))).toEqual([
        { nextRevision: 1, lastPosition: 2, written: true },
        'DatabaseError',
        'WrongExpectedRevisionError',
        { nextRevision: 2, lastPosition: 4, written: true },
      ]);
      expect((await store.readAll({ fromPosition: 0 })).map((e) => [e.position, e.streamId, e.revision])).toEqual([
        [1, 's', 1],
        [2, 'a', 1],
        [3, 'c', 1],
        [4, 'c', 2],
      ]);
    });
  });

  describe('several pools on one schema', () => {
    it('lets exactly one of two pools win each race for the same expected revision', async () => {
      const [a, b] = [await open(), await open()];
      await a.append('race', [event()], { expectedRevision: 'no_stream' });

      for (let round = 1; round <= 30; round++) {
        const results = await Promise.allSettled([
          a.append('race', [event({ by: 'a' })], { expectedRevision: round }),
          b.append('race', [event({ by: 'b' })], { expectedRevision: round }),
        ]);
        const losers = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        expect(losers).toHaveLength(1);
        expect(losers[0].reason).toBeInstanceOf(WrongExpectedRevisionError);
        expect(losers[0].reason).toMatchObject({ expected: round, actual: round + 1 });
      }
      const { revision, events } = await b.readStream('race');
      expect(revision).toBe(31);
      expect(events.map((e) => e.position)).toEqual(range(1, 31));
    });

    it('serialises read-decide-append loops of four pools on one stream, without a gap', async () => {
      const stores = await Promise.all(Array.from({ length: 4 }, () => open()));
      const increment = async (store: PostgresEventStore, n: number) => {
        for (;;) {
          const { revision } = await store.readStream('counter');
          try {
            return await store.append('counter', [event({ n })], { expectedRevision: revision });
          } catch (error) {
            if (!(error instanceof WrongExpectedRevisionError)) throw error;
          }
        }
      };

      await Promise.all(Array.from({ length: 40 }, (_, n) => increment(stores[n % 4], n)));

      const { revision, events } = await stores[0].readStream('counter');
      expect(revision).toBe(40);
      expect(events.map((e) => e.position)).toEqual(range(1, 40));
      expect(events.map((e) => (e.data as { n: number }).n).sort((x, y) => x - y)).toEqual(range(0, 39));
    }, 30_000);

    it('recognises a retry made through another pool, and one sent by two pools at once', async () => {
      const [a, b] = [await open(), await open()];
      const events = [event(), event()];
      const first = await a.append('s', events, { expectedRevision: 'no_stream' });

      await expect(b.append('s', events, { expectedRevision: 'no_stream' })).resolves.toEqual({ ...first, written: false });

      const both = [event(), event()];
      const results = await Promise.all([a.append('t', both, { expectedRevision: 'no_stream' }), b.append('t', both, { expectedRevision: 'no_stream' })]);
      expect(results.map((r) => r.written).sort()).toEqual([false, true]);
      expect(results[0]).toEqual({ ...results[1], written: results[0].written });
      expect(await a.headPosition()).toBe(4);
      await expect(b.append('u', [both[0]], { expectedRevision: 'any' })).rejects.toBeInstanceOf(DuplicateEventIdError);
    });

    it('opens one fresh schema from several pools at once', async () => {
      const stores = await Promise.all(Array.from({ length: 4 }, () => open()));

      await Promise.all(stores.map((store, i) => store.append(`s-${i}`, [event()], { expectedRevision: 'no_stream' })));

      expect(await stores[0].headPosition()).toBe(4);
    });
  });

  describe('commit order as readers see it', () => {
    /**
     * Until PostgreSQL shows a session waiting for a lock while running a statement that contains `statement`.
     * `observer` must not be in a transaction: it would see the activity as it was when the transaction began.
     */
    const waitUntilBlocked = async (observer: Client, statement: string) => {
      for (let tries = 0; ; tries++) {
        const { rows } = await observer.query(
          `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid() AND position($1 in query) > 0`,
          [statement],
        );
        if (rows.length > 0) return;
        if (tries > 500) throw new Error(`no session waits in ${statement}`);
        await delay(10);
      }
    };

    it('makes a writer that came second wait for the first one, which holds lower positions, so no reader sees a later position first', async () => {
      const [first, second, reader] = [await open(), await open(), await open()];
      const tailed: number[] = [];
      let tailing = true;
      // What a subscription does: ask again and again for what follows the last position seen.
      const tail = (async () => {
        while (tailing) {
          for (const e of await reader.readAll({ fromPosition: tailed.at(-1) ?? 0 })) tailed.push(e.position);
          await delay(2);
        }
      })();

      const [firstDone, secondDone] = await withClients(async (blocker, observer) => {
        // Holds up INSERTs into the events table (reads go on): the first writer will stall inside its transaction.
        await blocker.query('BEGIN');
        await blocker.query(`LOCK TABLE "${schema}".events IN SHARE MODE`);
        const firstDone = first.append('first', [event(), event()], { expectedRevision: 'no_stream' });
        await waitUntilBlocked(observer, `INSERT INTO "${schema}".events`); // positions 1..2 taken, not committed
        const secondDone = second.append('second', [event()], { expectedRevision: 'no_stream' });
        // the second writer waits for the first (an append of one event takes the head in its INSERT's statement)
        await waitUntilBlocked(observer, `"${schema}".events_head`);

        // The second has nothing in its way but the first: without the wait it would commit now, before 1..2.
        await delay(100);
        expect(await reader.readAll({ fromPosition: 0 })).toEqual([]);
        expect(await reader.headPosition()).toBe(0);
        await blocker.query('ROLLBACK');
        return [firstDone, secondDone];
      });

      expect(await firstDone).toEqual({ nextRevision: 2, lastPosition: 2, written: true });
      expect(await secondDone).toEqual({ nextRevision: 1, lastPosition: 3, written: true });
      await waitFor(() => tailed.length === 3);
      tailing = false;
      await tail;
      expect(tailed).toEqual([1, 2, 3]);
    });

    it('never shows a tailing reader an event below one it has seen, while four pools append at once', async () => {
      const writers = await Promise.all(Array.from({ length: 4 }, () => open()));
      const reader = await open();
      const subscriber = await open({ pollIntervalMs: 60_000 }); // woken by NOTIFY alone
      const delivered: number[] = [];
      const subscription = subscriber.subscribe((e) => void delivered.push(e.position), { fromPosition: 0, batchSize: 7 });
      const tailed: number[] = [];
      let tailing = true;
      const tail = (async () => {
        while (tailing) {
          for (const e of await reader.readAll({ fromPosition: tailed.at(-1) ?? 0, limit: 13 })) tailed.push(e.position);
        }
      })();

      // Each writer: 10 waves of 20 appends of 1 to 3 events to 10 streams.
      await Promise.all(
        writers.map(async (writer, w) => {
          for (let wave = 0; wave < 10; wave++) {
            await Promise.all(
              Array.from({ length: 20 }, (_, i) =>
                writer.append(`stream-${(w + i) % 10}`, Array.from({ length: 1 + (i % 3) }, () => event({ w, wave, i })), {
                  expectedRevision: 'any',
                }),
              ),
            );
          }
        }),
      );
      const total = await reader.headPosition();
      await waitFor(() => tailed.at(-1) === total);
      tailing = false;
      await tail;
      await subscription.caughtUp();

      expect(total).toBe(4 * 10 * (7 * 1 + 7 * 2 + 6 * 3));
      expect(tailed).toEqual(range(1, total));
      expect(delivered).toEqual(range(1, total));
      const all = await reader.readAll({ fromPosition: 0 });
      for (let s = 0; s < 10; s++) {
        const stream = all.filter((e) => e.streamId === `stream-${s}`);
        expect(stream.map((e) => e.revision)).toEqual(range(1, stream.length));
      }
    }, 30_000);
  });

  describe('subscriptions', () => {
    it('are woken by the commits of another pool through NOTIFY, without waiting for the poll', async () => {
      const subscriber = await open({ pollIntervalMs: 60_000 });
      const writer = await open();
      const delivered: RecordedEvent[] = [];
      const subscription = subscriber.subscribe((e) => void delivered.push(e), { fromPosition: 0 });
      await subscription.caughtUp(); // asleep now, until a wake-up or the poll a minute away

      await writer.append('s', [event(), event()], { expectedRevision: 'no_stream' });

      await waitFor(() => delivered.length === 2);
      expect(delivered).toEqual(await writer.readAll({ fromPosition: 0 }));
    });

    it('find the commits of another pool by polling when they do not listen', async () => {
      const subscriber = await open({ listen: false, pollIntervalMs: 50 });
      const writer = await open();
      const delivered: RecordedEvent[] = [];
      const subscription = subscriber.subscribe((e) => void delivered.push(e), { fromPosition: 0 });
      await subscription.caughtUp();

      await writer.append('s', [event()], { expectedRevision: 'no_stream' });

      await waitFor(() => delivered.length === 1);
    });

    it('take their own store commits as handed over, without reading them back on its own NOTIFY', async () => {
      const store = await open({ pollIntervalMs: 60_000 });
      const reads = jest.spyOn(store, 'readAll');
      const delivered: RecordedEvent[] = [];
      const subscription = store.subscribe((e) => void delivered.push(e), { fromPosition: 0 });
      await subscription.caughtUp();

      for (let i = 0; i < 5; i++) {
        await Promise.all(Array.from({ length: 10 }, (_, j) => store.append(`s-${j}`, [event(), event()], { expectedRevision: 'any' })));
      }
      await subscription.caughtUp();
      await delay(100); // the notifications of those commits have come back by now

      expect(reads).toHaveBeenCalledTimes(1);
      expect(delivered.map((e) => e.position)).toEqual(range(1, 100));
      expect(delivered).toEqual(await store.readAll({ fromPosition: 0 }));
    });

    it('go on after the LISTEN connection is lost: it is reported and made again', async () => {
      const errors: unknown[] = [];
      const subscriber = await open({ pollIntervalMs: 100, onError: (error) => errors.push(error) });
      const writer = await open();
      const delivered: RecordedEvent[] = [];
      const subscription = subscriber.subscribe((e) => void delivered.push(e), { fromPosition: 0 });
      await subscription.caughtUp();
      const listenerPid = () =>
        withClient(async (client) => {
          const { rows } = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE query = $1', [`LISTEN "${schema}.events"`]);
          return rows.map((row) => row.pid);
        });
      const [lost] = await listenerPid();

      await withClient((client) => client.query('SELECT pg_terminate_backend($1)', [lost]));
      await waitFor(() => errors.length > 0);
      await waitFor(async () => (await listenerPid()).some((pid) => pid !== lost));
      await writer.append('s', [event()], { expectedRevision: 'no_stream' });

      await waitFor(() => delivered.length === 1);
    });
  });

  describe('opening', () => {
    it('refuses a schema name that would need quoting', async () => {
      await expect(PostgresEventStore.open({ connectionString: POSTGRES_URL, schema: 'Event-Store' })).rejects.toThrow(RangeError);
    });

    it('fails, rather than waits, when the server cannot be reached', async () => {
      await expect(PostgresEventStore.open({ connectionString: 'postgres://postgres@127.0.0.1:1/postgres', schema })).rejects.toThrow(/ECONNREFUSED/);
    });

    it('keeps the event store and the idempotency keys side by side in one schema', async () => {
      const store = await open();
      const keys = await PostgresIdempotencyStore.open({ connectionString: POSTGRES_URL, schema });
      opened.push(keys);

      await store.append('s', [event()], { expectedRevision: 'no_stream' });
      await keys.put('user-1', 'key-1', { status: 201, body: null, requestHash: 'h', createdAt: '2025-03-01T08:00:00.000+08:00' });

      expect(await keys.get('user-1', 'key-1')).toEqual({ status: 201, body: null, requestHash: 'h', createdAt: '2025-03-01T08:00:00.000+08:00' });
      expect(await store.headPosition()).toBe(1);
    });
  });
});

function withClients<T>(use: (a: Client, b: Client) => Promise<T>): Promise<T> {
  return withClient((a) => withClient((b) => use(a, b)));
}

/** from..to inclusive */
function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(to - from + 1, 0) }, (_, i) => from + i);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await delay(5);
  }
}
