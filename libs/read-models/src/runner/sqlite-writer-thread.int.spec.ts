import Database from 'better-sqlite3';
import { CompiledQuery, sql } from 'kysely';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteWriterThread } from './sqlite-writer-thread';

describe('SqliteWriterThread', () => {
  let dir: string;
  let file: string;
  let reader: Database.Database;
  let writer: SqliteWriterThread | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'writer-thread-'));
    file = join(dir, 'rm.sqlite');
    reader = new Database(file);
    reader.pragma('journal_mode = WAL');
    reader.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)');
  });
  afterEach(async () => {
    await writer?.close();
    writer = undefined;
    reader.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const count = () => (reader.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n;
  const insert = (i: number, v: string) => CompiledQuery.raw('INSERT INTO t (id, v) VALUES (?, ?)', [i, v]);

  it('commits what a transaction sent on, and a query in it sees the rows sent before it', async () => {
    writer = new SqliteWriterThread(file);
    const seen = await writer.db.transaction().execute(async (trx) => {
      for (let i = 1; i <= 500; i++) await trx.executeQuery(insert(i, `v${i}`));
      const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM t`.execute(trx);
      return rows[0].n;
    });
    expect(seen).toBe(500);
    expect(count()).toBe(500);
  });

  it('a statement sent on resolves before the thread has run it; the commit waits for it', async () => {
    writer = new SqliteWriterThread(file);
    await writer.opened();
    // the first use of a text waits (the thread says whether it returns rows)
    await writer.db.executeQuery(insert(1, 'first'));
    await writer.db.transaction().execute(async (trx) => {
      await trx.executeQuery(insert(2, 'second'));
      const parameters = Array.from({ length: 2000 }, (_, i) => [i + 3, `bulk ${i}`]).flat();
      const bulk = CompiledQuery.raw(`INSERT INTO t (id, v) VALUES ${Array.from({ length: 2000 }, () => '(?, ?)').join(', ')}`, parameters);
      await trx.executeQuery(bulk); // first use: waits
      await trx.executeQuery(insert(2_100, 'third'));
      // sent on and resolved here: nothing of this transaction shows outside it before the commit
      expect(count()).toBe(1);
    });
    expect(count()).toBe(2_003);
  });

  it('a statement sent on that fails fails its transaction: the commit rejects with its error and nothing is written', async () => {
    writer = new SqliteWriterThread(file);
    await writer.db.executeQuery(insert(1, 'taken'));
    const attempt = writer.db.transaction().execute(async (trx) => {
      await trx.executeQuery(insert(2, 'fine'));
      await trx.executeQuery(insert(3, 'taken')); // UNIQUE: fails in the thread, resolves here
      await trx.executeQuery(insert(4, 'after'));
    });
    await expect(attempt).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_UNIQUE', message: expect.stringContaining('UNIQUE constraint failed: t.v') });
    expect(reader.prepare('SELECT id FROM t ORDER BY id').all()).toEqual([{ id: 1 }]);
    // the connection goes on: the next transaction commits
    await writer.db.transaction().execute(async (trx) => {
      await trx.executeQuery(insert(2, 'fine'));
    });
    expect(count()).toBe(2);
  });

  it('a query after a failed statement in the same transaction rejects with that failure, and the rollback clears it', async () => {
    writer = new SqliteWriterThread(file);
    await writer.db.executeQuery(insert(1, 'taken'));
    await writer.db.executeQuery(insert(2, 'other'));
    const attempt = writer.db.transaction().execute(async (trx) => {
      await trx.executeQuery(insert(3, 'taken'));
      await sql`SELECT count(*) AS n FROM t`.execute(trx);
    });
    await expect(attempt).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_UNIQUE' });
    await expect(sql<{ n: number }>`SELECT count(*) AS n FROM t`.execute(writer.db)).resolves.toMatchObject({ rows: [{ n: 2 }] });
  });

  it('RETURNING waits and gives the rows a change touched (no counts otherwise)', async () => {
    writer = new SqliteWriterThread(file);
    await writer.db.executeQuery(insert(1, 'a'));
    await writer.db.executeQuery(insert(2, 'b'));
    const touched = await writer.db.transaction().execute(async (trx) => {
      const updated = await sql<{ id: number }>`UPDATE t SET v = v || '!' WHERE id = ${2} RETURNING id`.execute(trx);
      const none = await sql<{ id: number }>`UPDATE t SET v = v || '!' WHERE id = ${9} RETURNING id`.execute(trx);
      return [updated.rows, none.rows];
    });
    expect(touched).toEqual([[{ id: 2 }], []]);
    expect(reader.prepare('SELECT v FROM t WHERE id = 2').get()).toEqual({ v: 'b!' });
  });

  it('parameters cross as they are: long text, numbers, null and binary', async () => {
    reader.exec('CREATE TABLE w (a, b, c, d)');
    writer = new SqliteWriterThread(file);
    const long = '投诉'.repeat(1000);
    const many = Array.from({ length: 40 }, (_, i) => [i % 2 === 0 ? `短${i}` : i + 0.5, null, i, Buffer.from([i])]).flat();
    await writer.db.transaction().execute(async (trx) => {
      await trx.executeQuery(CompiledQuery.raw('INSERT INTO w VALUES (?, ?, ?, ?)', [long, null, 2 ** 40, Buffer.from([1, 2, 3])]));
      await trx.executeQuery(CompiledQuery.raw(`INSERT INTO w VALUES ${Array.from({ length: 40 }, () => '(?, ?, ?, ?)').join(', ')}`, many));
      const texts = Array.from({ length: 40 }, (_, i) => [`文本 "${i}" \\ \n`, i, null, -i / 3]).flat();
      await trx.executeQuery(CompiledQuery.raw(`INSERT INTO w VALUES ${Array.from({ length: 40 }, () => '(?, ?, ?, ?)').join(', ')}`, texts));
    });
    const rows = reader.prepare('SELECT a, b, c, d FROM w').all() as { a: unknown; b: unknown; c: unknown; d: unknown }[];
    expect(rows[0]).toEqual({ a: long, b: null, c: 2 ** 40, d: Buffer.from([1, 2, 3]) });
    expect(rows[2]).toEqual({ a: 1.5, b: null, c: 1, d: Buffer.from([1]) });
    expect(rows[41 + 7]).toEqual({ a: '文本 "7" \\ \n', b: 7, c: null, d: -7 / 3 });
    expect(rows).toHaveLength(81);
  });

  it('close() rolls back a transaction left open and ends the thread; the database is then refused', async () => {
    writer = new SqliteWriterThread(file);
    await writer.db.executeQuery(CompiledQuery.raw('begin'));
    await writer.db.executeQuery(insert(1, 'never committed'));
    await writer.close();
    expect(count()).toBe(0);
    await expect(writer.db.executeQuery(insert(2, 'too late'))).rejects.toThrow(/writer thread stopped/);
  });

  it('a file it cannot open is an error of opened(), naming the file', async () => {
    writer = new SqliteWriterThread(join(dir, 'missing', 'rm.sqlite'));
    await expect(writer.opened()).rejects.toThrow(/could not open .*missing.*rm\.sqlite in the read-model writer thread/);
  });
});
