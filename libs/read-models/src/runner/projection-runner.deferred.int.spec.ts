import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, sql } from 'kysely';
import { SqliteEventStore } from '@complaints/event-store';
import { openSqliteReadModelDb } from '../sqlite-read-model-db';
import { CHECKPOINT_TABLE } from './checkpoint.store';
import { ProjectionRunner, ProjectionRunnerOptions } from './projection-runner';
import { appendEvents } from './test/event-log.fixture';
import { HeldBackCounterProjection } from './test/held-back-counter.projection';
import { eventually, recordingLogger } from './test/runner-test-helpers';
import { StreamCounterProjection } from './test/stream-counter.projection';

const EVENTS = 3000;

/** What a counter should hold for these appends. */
const expected = (counts: Map<string, number>) => [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([stream_id, events]) => ({ stream_id, events }));
const withoutPositions = (rows: { stream_id: string; events: number }[]) => rows.map(({ stream_id, events }) => ({ stream_id, events }));

describe('ProjectionRunner: a projection that defers while rebuilding', () => {
  let dir: string;
  let store: SqliteEventStore;
  let db: Kysely<any>;
  let runners: ProjectionRunner[];
  let perStream: Map<string, number>;

  const runner = (projections: ProjectionRunnerOptions['projections'], options: Partial<ProjectionRunnerOptions> = {}) => {
    const r = new ProjectionRunner({ store, db, projections, batchSize: 250, pollIntervalMs: 20, retry: { initialDelayMs: 20, maxDelayMs: 100 }, ...options });
    runners.push(r);
    return r;
  };
  const checkpoint = async (name: string) => {
    const row = await db.selectFrom(CHECKPOINT_TABLE).selectAll().where('name', '=', name).executeTakeFirstOrThrow();
    return { position: Number(row.position), status: row.status as string };
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'projection-runner-deferred-'));
    store = new SqliteEventStore({ filename: join(dir, 'events.sqlite'), synchronous: 'NORMAL', pollIntervalMs: 20 });
    db = openSqliteReadModelDb(join(dir, 'read-models.sqlite'));
    runners = [];
    perStream = await appendEvents(store, EVENTS, { streams: 11 });
  });

  afterEach(async () => {
    for (const r of runners) await r.stop();
    await store.close();
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gets deferred batches up to the head, writes everything with the last one, and is then whole and ok', async () => {
    const held = new HeldBackCounterProjection();
    const plain = new StreamCounterProjection();
    const statuses: string[] = [];
    held.failOn = () => false;
    const r = runner([held, plain], { batchSize: 400, maxBatchSize: 400 });
    await r.rebuild(undefined, () => void checkpoint(held.name).then((c) => statuses.push(c.status)));

    // 7 full batches, then one that reaches the head
    expect(held.contexts.map((c) => [c.deferred, c.positions.length])).toEqual([...Array(7).fill([true, 400]), [false, 200]]);
    expect(held.contexts[0]).toMatchObject({ checkpoint: 0 });
    expect(withoutPositions(await held.dump(db))).toEqual(expected(perStream));
    expect(withoutPositions(await plain.dump(db))).toEqual(expected(perStream));
    expect(await checkpoint(held.name)).toEqual({ position: EVENTS, status: 'ok' });
    expect(await checkpoint(plain.name)).toEqual({ position: EVENTS, status: 'ok' });
    expect(statuses).toContain('rebuilding');

    // from then on, batches are not deferred
    await appendEvents(store, 10, { streams: 11 });
    await r.start();
    await r.waitForPosition(EVENTS + 10);
    expect(held.contexts.slice(8).every((c) => !c.deferred)).toBe(true);
  });

  it('a rebuild on SQLite runs with a larger page cache and no automatic checkpoints, and gives both settings back', async () => {
    const pragma = async (on: Kysely<any>, name: string) => Number(Object.values((await sql.raw<Record<string, number>>(`PRAGMA ${name}`).execute(on)).rows[0])[0]);
    await sql`PRAGMA cache_size = -3000`.execute(db);
    await sql`PRAGMA wal_autocheckpoint = 700`.execute(db);
    const seen: number[][] = [];
    // what the connection is set to while the batches are applied (in their transaction: the same connection)
    const spy = new (class extends StreamCounterProjection {
      override async apply(...args: Parameters<StreamCounterProjection['apply']>): Promise<void> {
        seen.push([await pragma(args[0] as Kysely<any>, 'cache_size'), await pragma(args[0] as Kysely<any>, 'wal_autocheckpoint')]);
        return super.apply(...args);
      }
    })();
    await runner([spy], { rebuildCacheMb: 16 }).rebuild();

    expect(seen.length).toBeGreaterThan(1);
    for (const values of seen) expect(values).toEqual([-16 * 1024, 0]);
    expect([await pragma(db, 'cache_size'), await pragma(db, 'wal_autocheckpoint')]).toEqual([-3000, 700]);
    // and the log was checkpointed into the file at the end
    expect(Number((await sql.raw<{ log: number; checkpointed: number }>('PRAGMA wal_checkpoint(PASSIVE)').execute(db)).rows[0].log)).toBe(0);
  });

  it('refuses a page cache for rebuilds that is not a positive number of MiB', () => {
    expect(() => runner([new StreamCounterProjection()], { rebuildCacheMb: 0 })).toThrow('rebuildCacheMb must be a positive integer, not 0');
  });

  it('a rebuild whose last batch ends exactly at the head is finished by a batch without events', async () => {
    const held = new HeldBackCounterProjection();
    await runner([held], { batchSize: 300, maxBatchSize: 300 }).rebuild();
    expect(held.contexts.map((c) => [c.deferred, c.positions.length])).toEqual([...Array(10).fill([true, 300]), [false, 0]]);
    expect(withoutPositions(await held.dump(db))).toEqual(expected(perStream));
    expect(await checkpoint(held.name)).toEqual({ position: EVENTS, status: 'ok' });
  });

  it('nobody waiting for a position counts it as there until the rebuild is over', async () => {
    const held = new HeldBackCounterProjection();
    held.delayMs = 20;
    const r = runner([held]);
    await r.start();
    await r.waitForPosition(1, 10_000);
    expect(await checkpoint(held.name)).toEqual({ position: EVENTS, status: 'ok' });
    expect(withoutPositions(await held.dump(db))).toEqual(expected(perStream));
  });

  it('a rebuild its runner left unfinished (a crash) starts again from 0 at the next start', async () => {
    const abandoned = new HeldBackCounterProjection();
    let batches = 0;
    await expect(
      runner([abandoned]).rebuild(undefined, () => {
        if (++batches === 4) throw new Error('the process dies');
      }),
    ).rejects.toThrow('the process dies');
    expect(await checkpoint(abandoned.name)).toEqual({ position: 750, status: 'rebuilding' });
    expect(await abandoned.dump(db)).toEqual([]);
    const cli = runner([new HeldBackCounterProjection()]);
    expect((await cli.status())[0]).toMatchObject({ status: 'rebuild-pending' });

    const logger = recordingLogger();
    const held = new HeldBackCounterProjection();
    const next = runner([held], { logger });
    await next.start();
    await next.waitForPosition(EVENTS, 10_000);
    expect(logger.messages('info')).toContain('projection held-back-counter was being rebuilt (position 750) when its runner stopped: rebuilding it from position 0');
    expect(held.contexts[0]).toMatchObject({ checkpoint: 0, deferred: true, positions: expect.arrayContaining([1]) });
    expect(withoutPositions(await held.dump(db))).toEqual(expected(perStream));
    expect(await checkpoint(held.name)).toEqual({ position: EVENTS, status: 'ok' });
  });

  it('a deferred batch that fails starts the rebuild again from 0', async () => {
    const logger = recordingLogger();
    const held = new HeldBackCounterProjection();
    let refusals = 0;
    held.failOn = (event) => event.position === 1600 && ++refusals === 1;
    const r = runner([held], { logger });
    await r.start();
    // a failing projection holds back nobody waiting: watch its checkpoint instead
    await eventually(async () => (await checkpoint(held.name)).status === 'ok' && (await checkpoint(held.name)).position === EVENTS, 10_000);
    expect(refusals).toBe(2);
    const starts = held.contexts.filter((c) => c.checkpoint === 0).length;
    expect(starts).toBe(2);
    expect(logger.messages('error').some((m) => m.startsWith('projection held-back-counter failed'))).toBe(true);
    expect(withoutPositions(await held.dump(db))).toEqual(expected(perStream));
    expect(await checkpoint(held.name)).toEqual({ position: EVENTS, status: 'ok' });
  });

  it('stop() writes what a rebuild held back, and the next start goes on from there', async () => {
    const held = new HeldBackCounterProjection();
    held.delayMs = 30;
    const r = runner([held]);
    await r.start();
    await eventually(() => held.contexts.length >= 3);
    await r.stop();
    const stopped = await checkpoint(held.name);
    expect(stopped.status).toBe('ok');
    expect(stopped.position).toBeGreaterThan(0);
    expect(stopped.position).toBeLessThan(EVENTS);
    expect((await held.dump(db)).reduce((sum, row) => sum + row.events, 0)).toBe(stopped.position);

    const next = new HeldBackCounterProjection();
    const again = runner([next]);
    await again.start();
    await again.waitForPosition(EVENTS, 10_000);
    expect(next.contexts[0]).toMatchObject({ checkpoint: stopped.position, deferred: false });
    expect(withoutPositions(await next.dump(db))).toEqual(expected(perStream));
  });

  it('a rebuild another runner is doing is left to it', async () => {
    const live = new HeldBackCounterProjection();
    const logger = recordingLogger();
    const api = runner([live], { logger });
    await api.start();
    await api.waitForPosition(EVENTS, 10_000);

    // the CLI rebuilds it while the API's runner follows the log
    const before = live.contexts.length;
    const rebuilt = new HeldBackCounterProjection();
    rebuilt.delayMs = 10;
    const cli = runner([rebuilt]);
    const rebuilding = cli.rebuild();
    await eventually(() => rebuilt.contexts.length >= 2);
    await appendEvents(store, 50, { streams: 11 });
    await rebuilding;
    await cli.stop();
    // the API's runner waited for the rebuild as for a failing projection (holding back nobody), then went on
    await eventually(async () => (await checkpoint(live.name)).position === EVENTS + 50, 10_000);
    await api.waitForPosition(EVENTS + 50, 10_000);
    expect(live.contexts.slice(before).every((c) => !c.deferred)).toBe(true);
    expect(logger.messages('warn')).toContain('the checkpoint of projection held-back-counter was changed by another runner; reloading the checkpoints');
    const total = (await live.dump(db)).reduce((sum, row) => sum + row.events, 0);
    expect(total).toBe(EVENTS + 50);
    expect(await checkpoint(live.name)).toEqual({ position: EVENTS + 50, status: 'ok' });
  });
});
