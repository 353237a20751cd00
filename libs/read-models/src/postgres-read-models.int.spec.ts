import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { Client } from 'pg';
import { randomBytes } from 'node:crypto';
import { DEFAULT_POLICY } from '@complaints/domain';
import { openPostgresReadModelDb } from './postgres-read-model-db';
import { allProjections, ReadModelTables } from './projections';
import { BRANCHES, randomHistory, seeded } from './projections/test/random-history.fixture';
import { dumpReadModels as dump, logOf, READ_MODEL_TABLES as TABLES } from './projections/test/read-model-dump.fixture';
import { bulletin, deskQueue, departmentQueue, overdueQueue, periodReport, searchComplaints, statsSummary } from './queries';
import { CHECKPOINT_TABLE } from './runner/checkpoint.store';
import { ProjectionRunner } from './runner/projection-runner';

/*
 * The read models are one Kysely code base for SQLite (the embedded default) and PostgreSQL (DATABASE_URL):
 * the same history, rebuilt by the runner on both, must leave the same rows, and every query must answer the same.
 */
const POSTGRES_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const SKIPPED = process.env.COMPLAINTS_SKIP_POSTGRES === '1';

const START = '2026-09-30T13:00:00.000Z';
const DAYS = 12;
const history = randomHistory({ seed: 20261128, complaints: 300, days: DAYS, start: START });
const last = history[history.length - 1];
const registered = history.filter((e) => e.type === 'ComplaintRegistered').length;
(SKIPPED ? describe.skip : describe)('the read models on PostgreSQL', () => {
  const schema = `read_models_${process.pid}_${randomBytes(4).toString('hex')}`;
  let sqlite: Kysely<ReadModelTables>;
  let postgres: Kysely<ReadModelTables>;

  beforeAll(async () => {
    sqlite = new Kysely<ReadModelTables>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
    postgres = await openPostgresReadModelDb({ connectionString: POSTGRES_URL, schema, poolSize: 4 });
    for (const db of [sqlite, postgres]) {
      // batches small enough that a rebuild takes many, with the deferred writes of the complaints projection
      const runner = new ProjectionRunner({ store: logOf(history), db, projections: allProjections(), batchSize: 97, maxBatchSize: 400 });
      await runner.rebuild();
      await runner.stop();
    }
  }, 120_000);

  afterAll(async () => {
    await sqlite?.destroy();
    await postgres?.destroy();
    const client = new Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });

  it('keeps its tables in a schema of their own, and the checkpoints beside them', async () => {
    const client = new Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      const { rows } = await client.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [schema]);
      expect(rows.map((r) => r.table_name)).toEqual(expect.arrayContaining([...TABLES, CHECKPOINT_TABLE]));
    } finally {
      await client.end();
    }
    const checkpoints = await postgres.selectFrom(CHECKPOINT_TABLE as keyof ReadModelTables).selectAll().execute();
    expect(checkpoints.map((c) => (c as unknown as { position: number }).position)).toEqual(allProjections().map(() => history.length));
  });

  it('holds the same rows as SQLite after rebuilding the same history', async () => {
    const [onSqlite, onPostgres] = [await dump(sqlite), await dump(postgres)];
    expect(onSqlite.complaints.length).toBe(registered);
    for (const table of TABLES) expect({ table, rows: onPostgres[table] }).toEqual({ table, rows: onSqlite[table] });
  });

  it('answers every query as SQLite does', async () => {
    const random = seeded(7);
    const start = Date.parse(START);
    const span = DAYS * 86_400_000;
    const instant = () => new Date(start + Math.floor(random() * span));
    const both = async <T>(query: (db: Kysely<ReadModelTables>) => Promise<T>) => {
      const [a, b] = [await query(sqlite), await query(postgres)];
      expect(b).toEqual(a);
      return a;
    };

    for (let i = 0; i < 20; i++) {
      const [from, to] = [instant(), instant()].sort((x, y) => x.getTime() - y.getTime());
      const branch = i % 2 === 0 ? BRANCHES[i % BRANCHES.length] : undefined;
      const asOf = i % 3 === 0 ? new Date('2030-01-01T00:00:00.000Z') : instant();
      await both((db) => statsSummary(db, { from, to, asOf, branch }));
      await both((db) => deskQueue(db, { branch, now: new Date(Date.parse(last.recordedAt) + 1), asOf: i % 2 ? asOf : undefined, limit: 50 }));
      await both((db) => departmentQueue(db, { department: i % 2 ? 'billing-center' : undefined, branch, now: asOf, limit: 50 }));
      await both((db) => overdueQueue(db, { branch, now: asOf, limit: 50 }));
    }
    for (const kind of ['daily', 'ten-day', 'monthly'] as const) {
      await both((db) => periodReport(db, { kind, date: '2026-10-05', asOf: new Date('2030-01-01T00:00:00.000Z') }));
    }
    await both((db) => bulletin(db, DEFAULT_POLICY, { kind: 'monthly', date: '2026-10-05', asOf: new Date('2030-01-01T00:00:00.000Z'), top: 10 }));

    // paging through every complaint, newest first, with the cursor of the page before
    let cursor: string | undefined;
    let seen = 0;
    do {
      const page = await both((db) => searchComplaints(db, { limit: 37, cursor }));
      seen += page.items.length;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toBe(registered);
  }, 60_000);
});
