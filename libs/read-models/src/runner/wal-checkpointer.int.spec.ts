import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { WalCheckpointer } from './wal-checkpointer';

describe('WalCheckpointer', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'wal-checkpointer-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('copies what a writer without automatic checkpoints commits into the file, from another thread', async () => {
    const file = join(dir, 'rm.sqlite');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 2_000; i++) insert.run('x'.repeat(200));
    })();
    const sizeBefore = statSync(file).size;

    const checkpointer = new WalCheckpointer(file, 20);
    await sleep(300);
    const report = await checkpointer.stop();

    expect(report.rounds).toBeGreaterThan(0);
    expect(report.failures).toBe(0);
    // the rows are in the database file now, and nothing of the log is left to copy
    expect(statSync(file).size).toBeGreaterThan(sizeBefore + 2_000 * 200);
    const [state] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    expect(state.checkpointed).toBe(state.log);
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 2_000 });
    // stop() again gives the same report
    await expect(checkpointer.stop()).resolves.toEqual(report);
    db.close();
  });

  it('a file it cannot open is a failure in its report, not an error thrown at the writer', async () => {
    const checkpointer = new WalCheckpointer(join(dir, 'missing.sqlite'), 20);
    await sleep(100);
    const report = await checkpointer.stop();
    expect(report.rounds).toBe(0);
    expect(report.failures).toBe(1);
    expect(report.lastError).toMatch(/SQLITE_CANTOPEN|unable to open|does not exist/i);
  });

  it('stop() keeps the process alive until the thread has stopped (a CLI that awaits it then prints)', () => {
    const file = join(dir, 'rm.sqlite');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.close();
    // nothing else keeps this process's event loop alive while it awaits stop()
    const script = `const { WalCheckpointer } = require(${JSON.stringify(join(__dirname, 'wal-checkpointer'))});
      new WalCheckpointer(${JSON.stringify(file)}, 20).stop().then((report) => console.log('stopped after ' + report.rounds + ' rounds'));`;
    const child = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(child.stderr).toBe('');
    expect(child.stdout).toMatch(/^stopped after \d+ rounds\n$/);
    expect(child.status).toBe(0);
  });
});
