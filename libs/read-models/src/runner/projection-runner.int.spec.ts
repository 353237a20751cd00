import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely } from 'kysely';
import { EventStore, InMemoryEventStore, newEventId, SqliteEventStore } from '@complaints/event-store';
import { openSqliteReadModelDb } from '../sqlite-read-model-db';
import { Projection } from '../projection';
import { CHECKPOINT_TABLE } from './checkpoint.store';
import { ProjectionRunner, ProjectionRunnerOptions } from './projection-runner';
import { ProjectionFailedError, ProjectionRunnerStoppedError, UnknownProjectionError, WaitForPositionTimeoutError } from './projection-runner.errors';
import { addCounts, appendEvents } from './test/event-log.fixture';
import { eventually, recordingLogger } from './test/runner-test-helpers';
import { StreamCount, StreamCounterProjection } from './test/stream-counter.projection';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** What the counter should hold for these appends, as its dump shows it (without positions). */
const expected = (counts: Map<string, number>) =>
  [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([stream_id, events]) => ({ stream_id, events }));
const withoutPositions = (rows: StreamCount[]) => rows.map(({ stream_id, events }) => ({ stream_id, events }));

const poisoned = (event: { data: unknown }) => (event.data as { poison?: boolean }).poison === true;

interface Fixture {
  dir: string;
  store: EventStore;
  db: Kysely<any>;
  runner(projections: Projection[], options?: Partial<ProjectionRunnerOptions>): ProjectionRunner;
  checkpoint(name: string): Promise<Record<string, unknown> | undefined>;
}

/** A temp directory with an event store, a read-model file and runners that are stopped after the test. */
function useFixture(openStore: (dir: string) => EventStore): Fixture {
  const fixture = {} as Fixture;
  let runners: ProjectionRunner[] = [];

  beforeEach(() => {
    fixture.dir = mkdtempSync(join(tmpdir(), 'projection-runner-'));
    fixture.store = openStore(fixture.dir);
    fixture.db = openSqliteReadModelDb(join(fixture.dir, 'read-models.sqlite'));
    fixture.runner = (projections, options = {}) => {
      const runner = new ProjectionRunner({
        store: fixture.store,
        db: fixture.db,
        projections,
        pollIntervalMs: 20,
        retry: { initialDelayMs: 20, maxDelayMs: 100 },
        ...options,
      });
      runners.push(runner);
      return runner;
    };
    fixture.checkpoint = (name) => fixture.db.selectFrom(CHECKPOINT_TABLE).selectAll().where('name', '=', name).executeTakeFirst();
  });

  afterEach(async () => {
    await Promise.all(runners.map((runner) => runner.stop()));
    runners = [];
    await fixture.store.close();
    await fixture.db.destroy();
    rmSync(fixture.dir, { recursive: true, force: true });
  });

  return fixture;
}

const STORES: [string, (dir: string) => EventStore][] = [
  ['in-memory', () => new InMemoryEventStore()],
  ['SQLite', (dir) => new SqliteEventStore({ filename: join(dir, 'events.sqlite'), synchronous: 'NORMAL', pollIntervalMs: 20 })],
];

describe.each(STORES)('ProjectionRunner on the %s event store', (_kind, openStore) => {
  const f = useFixture(openStore);

  it('applies the log in batches in position order, each projection only after its own checkpoint', async () => {
    await appendEvents(f.store, 2500);
    const order: string[] = [];
    const batchesOf = (name: string, into: number[][]) =>
      new StreamCounterProjection({
        name,
        onBatch: (positions) => {
          into.push(positions);
          order.push(`${name}:${positions[0]}`);
        },
      });

    const first: number[][] = [];
    const alone = f.runner([batchesOf('first', first)], { batchSize: 1000 });
    await alone.start();
    await alone.waitForPosition(2500);
    expect(first.map((batch) => [batch[0], batch[batch.length - 1]])).toEqual([
      [1, 1000],
      [1001, 2000],
      [2001, 2500],
    ]);
    await alone.stop();

    // 'first' goes on from its checkpoint; 'second' is new and is built from 0 beside it.
    await appendEvents(f.store, 500);
    const firstAgain: number[][] = [];
    const second: number[][] = [];
    const both = f.runner([batchesOf('first', firstAgain), batchesOf('second', second)], { batchSize: 1000 });
    await both.start();
    await both.waitForPosition(3000);

    expect(firstAgain.flat()).toEqual(range(2501, 3000));
    expect(second.flat()).toEqual(range(1, 3000));
    expect(Math.max(...second.map((batch) => batch.length))).toBe(1000);
    // the live projection got its events in the first turn, not after the new one caught up
    expect(order.indexOf('first:2501')).toBeLessThan(order.indexOf('second:1001'));
  });

  it('while behind, doubles its batches up to maxBatchSize; at the head, starts again at batchSize', async () => {
    await appendEvents(f.store, 200);
    const sizes: number[] = [];
    const runner = f.runner([new StreamCounterProjection({ onBatch: (positions) => sizes.push(positions.length) })], { batchSize: 10, maxBatchSize: 40 });
    await runner.start();
    await runner.waitForPosition(200);
    expect(sizes).toEqual([10, 20, 40, 40, 40, 40, 10]);

    await appendEvents(f.store, 15, { streams: 1 }); // one append: the runner finds all of it at once
    await runner.waitForPosition(215);
    expect(sizes.slice(7)).toEqual([10, 5]);
  });

  it('changes nothing when every event is applied a second time', async () => {
    const perStream = await appendEvents(f.store, 1200);
    const counter = new StreamCounterProjection();
    const once = f.runner([counter], { batchSize: 500 });
    await once.start();
    await once.waitForPosition(1200);
    await once.stop();
    const before = await counter.dump(f.db);
    expect(withoutPositions(before)).toEqual(expected(perStream));

    // The checkpoint goes back to 0 but the rows stay: the whole log is replayed onto them.
    await f.db.updateTable(CHECKPOINT_TABLE).set({ position: 0 }).where('name', '=', counter.name).execute();
    const replayed: number[] = [];
    const again = f.runner([new StreamCounterProjection({ onBatch: (positions) => replayed.push(...positions) })], { batchSize: 500 });
    await again.start();
    await again.waitForPosition(1200);

    expect(replayed).toEqual(range(1, 1200));
    expect(await counter.dump(f.db)).toEqual(before);
  });

  it('rebuilds a projection from position 0 when its version changes, and only then', async () => {
    const perStream = await appendEvents(f.store, 300);
    const stray = { stream_id: 'stray', events: 99, last_position: 0 };
    const run = async (version: number, logger = recordingLogger()) => {
      const counter = new StreamCounterProjection({ version });
      const runner = f.runner([counter], { logger });
      await runner.start();
      await runner.waitForPosition(300);
      await runner.stop();
      return counter.dump(f.db);
    };

    await run(1);
    await f.db.insertInto('stream_counter_counts').values(stray).execute();
    expect(await run(1)).toContainEqual(stray);

    const logger = recordingLogger();
    const rebuilt = await run(2, logger);
    expect(withoutPositions(rebuilt)).toEqual(expected(perStream));
    expect(await f.checkpoint('stream-counter')).toMatchObject({ version: 2, position: 300, status: 'ok' });
    expect(logger.messages('info')).toContain('projection stream-counter changed from version 1 to 2: rebuilding it from position 0');
  });

  it('marks a failing projection, keeps the others going, and retries it without skipping the event', async () => {
    const perStream = addCounts(
      await appendEvents(f.store, 40),
      await appendEvents(f.store, 1, { data: () => ({ poison: true }) }), // position 41
      await appendEvents(f.store, 59),
    );
    const healthy = new StreamCounterProjection({ name: 'healthy' });
    const flaky = new StreamCounterProjection({ name: 'flaky', failOn: poisoned });
    const logger = recordingLogger();
    const runner = f.runner([healthy, flaky], { batchSize: 30, logger });
    await runner.start();

    // Waiting does not wait for a failing projection.
    await runner.waitForPosition(100);
    expect(withoutPositions(await healthy.dump(f.db))).toEqual(expected(perStream));
    const flakyStatus = (await runner.status()).find((s) => s.name === 'flaky');
    expect(flakyStatus).toMatchObject({ status: 'failing', position: 30, lag: 70, lastError: 'Error: flaky refuses event 41' });
    // its writes of the failed batch were rolled back with it, and the failure is on record
    expect((await flaky.dump(f.db)).reduce((sum, row) => sum + row.events, 0)).toBe(30);
    expect(await f.checkpoint('flaky')).toMatchObject({ status: 'failing', position: 30, last_error: 'Error: flaky refuses event 41' });
    expect(logger.lines.find((line) => line.level === 'error')).toMatchObject({
      message: 'projection flaky failed on the events after position 30; it is retried in 20 ms, the others go on',
      fields: { projection: 'flaky', fromPosition: 31, toPosition: 60, attempts: 1 },
    });

    await eventually(() => logger.messages('error').length >= 3); // retried, and failing again
    expect((await runner.status()).find((s) => s.name === 'flaky')?.position).toBe(30);

    flaky.failOn = undefined;
    await eventually(async () => (await runner.status()).every((s) => s.status === 'ok' && s.position === 100));
    expect(withoutPositions(await flaky.dump(f.db))).toEqual(expected(perStream));
    expect(await f.checkpoint('flaky')).toMatchObject({ status: 'ok', position: 100, last_error: null });
    expect(logger.messages('info')).toContain('projection flaky recovered');
  });

  it('lets a reader wait for what it wrote, woken by the append rather than by the poll', async () => {
    const counter = new StreamCounterProjection();
    const runner = f.runner([counter], { pollIntervalMs: 60_000 });
    await runner.start();

    const first = await f.store.append('s', [{ id: newEventId(), type: 'Counted', data: {} }], { expectedRevision: 'any' });
    await runner.waitForPosition(first.lastPosition, 1000);
    expect(await counter.dump(f.db)).toEqual([{ stream_id: 's', events: 1, last_position: first.lastPosition }]);

    const second = await f.store.append('s', [{ id: newEventId(), type: 'Counted', data: {} }], { expectedRevision: 'any' });
    await eventually(async () => (await runner.status())[0].position === second.lastPosition, 1000);
  });

  it('gives up waiting after the timeout, and rejects waiters when stopped', async () => {
    await appendEvents(f.store, 5);
    const idle = f.runner([new StreamCounterProjection()]);
    await expect(idle.waitForPosition(5, 30)).rejects.toThrow(WaitForPositionTimeoutError);
    await expect(idle.waitForPosition(5, 30)).rejects.toMatchObject({ behind: ['stream-counter'] });

    const waiting = idle.waitForPosition(6, 10_000);
    await idle.stop();
    await expect(waiting).rejects.toThrow(ProjectionRunnerStoppedError);
    await expect(idle.waitForPosition(6)).rejects.toThrow(ProjectionRunnerStoppedError);
  });

  it('rebuilds exactly the tables that incremental processing wrote', async () => {
    const a = new StreamCounterProjection({ name: 'a' });
    const b = new StreamCounterProjection({ name: 'b' });
    const live = f.runner([a, b], { batchSize: 7 });
    await live.start();
    for (let round = 0; round < 5; round++) {
      await appendEvents(f.store, 20 + round * 13, { streams: 3 + round });
      await live.waitForPosition(await f.store.headPosition());
    }
    const head = await f.store.headPosition();
    const incremental = [await a.dump(f.db), await b.dump(f.db)];

    // on the running runner, one projection and then all
    expect(await live.rebuild('b')).toMatchObject({ projections: ['b'], position: head });
    expect([await a.dump(f.db), await b.dump(f.db)]).toEqual(incremental);
    await live.stop();

    // from the CLI's runner, which is not started
    const progress: [number, number][] = [];
    const cli = f.runner([a, b], { batchSize: 7 });
    const result = await cli.rebuild(undefined, (done, total) => progress.push([done, total]));
    expect([await a.dump(f.db), await b.dump(f.db)]).toEqual(incremental);
    expect(result).toMatchObject({ projections: ['a', 'b'], position: head, events: head });
    expect(progress[0]).toEqual([0, head]);
    expect(progress[progress.length - 1]).toEqual([head, head]);
    expect(progress.map(([done]) => done)).toEqual([...progress.map(([done]) => done)].sort((x, y) => x - y));

    await expect(cli.rebuild('c')).rejects.toThrow(UnknownProjectionError);
  });

  it('fails a rebuild that meets a failing projection', async () => {
    await appendEvents(f.store, 10);
    await appendEvents(f.store, 1, { data: () => ({ poison: true }) });
    const runner = f.runner([new StreamCounterProjection({ failOn: poisoned })], { batchSize: 4 });
    await expect(runner.rebuild()).rejects.toThrow(new ProjectionFailedError('stream-counter', 8, 'Error: stream-counter refuses event 11'));
    expect(await f.checkpoint('stream-counter')).toMatchObject({ position: 8, status: 'failing' });
  });

  it('reports where each projection stands, from memory when started and from the table when not', async () => {
    await appendEvents(f.store, 50);
    const runner = f.runner([new StreamCounterProjection()]);
    await runner.start();
    await runner.waitForPosition(50);
    expect(await runner.status()).toEqual([
      { name: 'stream-counter', version: 1, position: 50, head: 50, lag: 0, status: 'ok', lastError: null, lastBatchAt: expect.any(String) },
    ]);
    await runner.stop();

    await appendEvents(f.store, 10);
    const reader = f.runner([new StreamCounterProjection(), new StreamCounterProjection({ name: 'newer' }), new StreamCounterProjection({ name: 'a', version: 2 })]);
    await f.db.insertInto(CHECKPOINT_TABLE).values({ name: 'a', version: 1, position: 60, status: 'ok', last_error: null, updated_at: 'then' }).execute();
    expect(await reader.status()).toEqual([
      { name: 'stream-counter', version: 1, position: 50, head: 60, lag: 10, status: 'ok', lastError: null, lastBatchAt: expect.any(String) },
      { name: 'newer', version: 1, position: 0, head: 60, lag: 60, status: 'rebuild-pending', lastError: null, lastBatchAt: null },
      { name: 'a', version: 2, position: 60, head: 60, lag: 0, status: 'rebuild-pending', lastError: null, lastBatchAt: 'then' },
    ]);
  });
});

describe('ProjectionRunner on a SQLite file other processes write to', () => {
  const f = useFixture((dir) => new SqliteEventStore({ filename: join(dir, 'events.sqlite'), synchronous: 'NORMAL' }));

  it('finds events appended by another process by polling', async () => {
    const runner = f.runner([new StreamCounterProjection()], { pollIntervalMs: 20 });
    await runner.start();
    const other = new SqliteEventStore({ filename: join(f.dir, 'events.sqlite'), synchronous: 'NORMAL' });
    try {
      await appendEvents(other, 25);
    } finally {
      await other.close();
    }
    await eventually(async () => (await runner.status())[0].position === 25, 2000);
  });

  it('stops after the batch in flight, leaving every read model at its checkpoint', async () => {
    await appendEvents(f.store, 1000);
    const counter = new StreamCounterProjection({ idempotent: false, delayMs: 10 });
    const runner = f.runner([counter], { batchSize: 50 });
    await runner.start();
    await eventually(async () => (await runner.status())[0].position >= 100);
    await runner.stop();

    const position = Number((await f.checkpoint(counter.name))?.position);
    expect(position % 50).toBe(0);
    expect(position).toBeLessThan(1000);
    expect((await counter.dump(f.db)).reduce((sum, row) => sum + row.events, 0)).toBe(position);
  });

  it('never applies a batch twice when two runners share one database', async () => {
    const perStream = await appendEvents(f.store, 3000);
    // Not idempotent, so that an event applied twice would show in the counts. (Both share one
    // connection: two connections in one thread would wait for each other's locks for ever.)
    const counter = () => new StreamCounterProjection({ idempotent: false, delayMs: 1 });
    const logger = recordingLogger();
    const one = f.runner([counter()], { batchSize: 100 });
    const two = f.runner([counter()], { batchSize: 100, logger });
    await Promise.all([one.start(), two.start()]);
    await eventually(async () => (await f.checkpoint('stream-counter'))?.position === 3000);
    await Promise.all([one.stop(), two.stop()]);

    expect(withoutPositions(await counter().dump(f.db))).toEqual(expected(perStream));
    expect(logger.messages('warn')).toContain('the checkpoint of projection stream-counter was changed by another runner; reloading the checkpoints');
  });
});
