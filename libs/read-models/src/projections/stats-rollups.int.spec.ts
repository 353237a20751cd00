import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { RecordedEvent } from '@complaints/event-store';
import { statsSummary, StatsQuery } from '../queries/stats.query';
import { ComplaintsProjection } from './complaints.projection';
import { ReadModelTables } from './read-model.tables';
import { cstDay, cstDayStart, nextCstDay, replyBucket, STATS_ROLLUP_TABLE_NAMES } from './stats-rollups';
import { BRANCHES, comparableRow, randomHistory, seeded } from './test/random-history.fixture';

const START = '2026-09-30T13:00:00.000Z';
const DAYS = 12;
const history = randomHistory({ seed: 20261001, complaints: 320, days: DAYS, start: START });
const last = history[history.length - 1];

/** every table the projection writes, in key order; the horizons are an upper bound, not a sum, and left out */
async function dump(db: Kysely<ReadModelTables>): Promise<Record<string, unknown[]>> {
  const tables = ['complaints', 'complaint_states', 'complaint_timeline', 'work_order_hops', 'refunds', 'escalations', 'deadlines', ...STATS_ROLLUP_TABLE_NAMES.filter((t) => t !== 'stats_horizons')];
  const out: Record<string, unknown[]> = {};
  for (const table of tables) {
    const rows = (await db.selectFrom(table as keyof ReadModelTables).selectAll().execute()) as Record<string, unknown>[];
    out[table] = rows.map((row) => JSON.stringify(comparableRow(table, row))).sort();
  }
  return out;
}

function openDb(): Kysely<ReadModelTables> {
  return new Kysely<ReadModelTables>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
}

/** applies the events as the runner would: batches of random sizes, deferred (a rebuild from 0) up to the last one */
async function applyAsRebuild(db: Kysely<ReadModelTables>, events: readonly RecordedEvent[], options: { seed: number; heldBack: number; deferred: boolean }) {
  const projection = new ComplaintsProjection(undefined, { heldBackComplaints: options.heldBack, cachedComplaints: 3 });
  await db.transaction().execute((trx) => projection.reset(trx));
  const random = seeded(options.seed);
  const session = {};
  let checkpoint = 0;
  for (let i = 0; i < events.length; ) {
    const batch = events.slice(i, i + 1 + Math.floor(random() * 400));
    i += batch.length;
    const deferred = options.deferred && i < events.length;
    await db.transaction().execute((trx) => projection.apply(trx, batch, { checkpoint, session, deferred }));
    checkpoint = batch[batch.length - 1].position;
  }
  return projection;
}

describe('the statistics rollups', () => {
  let db: Kysely<ReadModelTables>;

  beforeAll(async () => {
    db = openDb();
    const projection = new ComplaintsProjection();
    await projection.migrate(db);
    await applyAsRebuild(db, history, { seed: 1, heldBack: 25, deferred: true });
  });

  afterAll(() => db.destroy());

  it('a generated history has what the figures count', async () => {
    const summary = await statsSummary(db, { from: new Date(START), to: new Date(Date.parse(START) + DAYS * 86_400_000), asOf: new Date(Date.parse(last.recordedAt) + 1) });
    expect(summary.registered).toBe(320);
    for (const figure of [summary.onSiteResolution.count, summary.escalation.count, summary.reopen.count, summary.archived, summary.satisfaction.asked, summary.refunds.executed, summary.refunds.rejected]) {
      expect(figure).toBeGreaterThan(0);
    }
    expect(summary.byDepartment.length).toBeGreaterThan(2);
    expect(summary.byDepartment.some((d) => d.forwarded > 0 && d.onTime < d.judged)).toBe(true);
  });

  it('give exactly what the detailed tables give, for random periods, branches and asOf instants', async () => {
    const random = seeded(42);
    const start = Date.parse(START);
    const span = DAYS * 86_400_000;
    const instant = (from: number, width: number) => new Date(from + Math.floor(random() * width));
    const midnight = (at: Date) => new Date(cstDayStart(cstDay(at.toISOString())));
    const queries: StatsQuery[] = [];
    for (let i = 0; i < 120; i++) {
      let from = instant(start - 86_400_000, span);
      let to = instant(from.getTime(), span);
      if (i % 2 === 0) [from, to] = [midnight(from), midnight(to)]; // report periods: whole CST days
      const asOf =
        i % 4 === 0 ? new Date('2030-01-01T00:00:00.000Z') : i % 4 === 1 ? midnight(instant(start, span + 2 * 86_400_000)) : instant(start, span + 2 * 86_400_000);
      queries.push({ from, to, asOf, branch: i % 3 === 0 ? BRANCHES[i % BRANCHES.length] : undefined });
    }
    for (const query of queries) {
      expect({ query, summary: await statsSummary(db, query) }).toEqual({ query, summary: await statsSummary(db, query, { rollups: false }) });
    }
  });

  it('answer whole settled days from the rollups alone', async () => {
    const copy = openDb();
    try {
      const projection = new ComplaintsProjection();
      await projection.migrate(copy);
      await copy.transaction().execute((trx) => projection.apply(trx, history));
      const query = { from: new Date(cstDayStart(cstDay(START))), to: new Date(cstDayStart(nextCstDay(nextCstDay(cstDay(last.recordedAt))))), asOf: new Date('2030-01-01T00:00:00.000Z') };
      const before = await statsSummary(copy, query);
      for (const table of ['complaints', 'work_order_hops', 'refunds'] as const) await copy.deleteFrom(table).execute();
      expect(await statsSummary(copy, query)).toEqual(before);
      expect((await statsSummary(copy, query, { rollups: false })).registered).toBe(0);
    } finally {
      await copy.destroy();
    }
  });

  it('are the same rows whatever the batches, deferred or not, and a replay changes nothing', async () => {
    const reference = openDb();
    try {
      const projection = new ComplaintsProjection();
      await projection.migrate(reference);
      for (const event of history) await reference.transaction().execute((trx) => projection.apply(trx, [event]));
      const expected = await dump(reference);
      expect(await dump(db)).toEqual(expected);

      await applyAsRebuild(reference, history, { seed: 2, heldBack: 0, deferred: false });
      expect(await dump(reference)).toEqual(expected);
      const deferred = await applyAsRebuild(reference, history, { seed: 3, heldBack: 3, deferred: true });
      expect(await dump(reference)).toEqual(expected);

      await reference.transaction().execute((trx) => deferred.apply(trx, history));
      expect(await dump(reference)).toEqual(expected);
    } finally {
      await reference.destroy();
    }
  });

  it('bucket reply times in order, four buckets an octave', () => {
    const values = [0, 1, 2, 3, 4, 5, 6, 7, 8, 59, 60, 61, 900, 3599, 3600, 3601, 10_892, 61_679, 2 ** 31 - 1, 2 ** 40];
    const buckets = values.map(replyBucket);
    expect([...buckets].sort((a, b) => a - b)).toEqual(buckets);
    expect(replyBucket(4)).toBe(8);
    expect(replyBucket(7)).toBe(11);
    expect(replyBucket(8)).toBe(12);
    for (let s = 4; s < 100_000; s += 37) expect(replyBucket(s + 1) - replyBucket(s)).toBeLessThanOrEqual(1);
  });
});
