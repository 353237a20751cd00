import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** `npm run <script> -- ...`, as an operator runs it (the script's own node options included) */
function npmRun(script: string, args: string[], dataDir: string) {
  const { DATABASE_URL: _db, EVENTSTORE_URL: _es, KAFKA_BROKERS: _kafka, ...inherited } = process.env;
  const result = spawnSync(NPM, ['run', '-s', script, '--', ...args], {
    cwd: ROOT,
    env: { ...inherited, DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** the rows of the status table: name → [version, position, head, lag, status] */
function statusRows(stdout: string): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of stdout.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (['complaints', 'preventive-measures', 'personal-data-reads'].includes(words[0])) rows.set(words[0], words.slice(1, 6));
  }
  return rows;
}

describe('npm run projections', () => {
  jest.setTimeout(180_000);
  let dir: string;
  let events: number;
  let registered: number;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'projections-cli-'));
    // a day of traffic through the command pipeline, as a newcomer makes it
    const demo = npmRun('demo', ['--days', '1', '--per-day', '40', '--seed', '7', '--data-dir', dir], dir);
    expect(demo.stderr + demo.stdout).toMatch(/Demo complete/);
    expect(demo.status).toBe(0);
    const log = new Database(join(dir, 'events.sqlite'), { readonly: true });
    events = (log.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
    registered = (log.prepare("SELECT count(*) AS n FROM events WHERE type = 'ComplaintRegistered'").get() as { n: number }).n;
    log.close();
    expect(registered).toBeGreaterThan(20);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('rebuilds every projection from the log with a progress line, and leaves each at the head', () => {
    // the read models gone (a new machine, a damaged file): every projection must be rebuilt
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(dir, `read-models.sqlite${suffix}`), { force: true });
    const before = npmRun('projections', ['status'], dir);
    expect(before.status).toBe(0);
    expect([...statusRows(before.stdout).values()].map((row) => row[4])).toEqual(['rebuild-pending', 'rebuild-pending', 'rebuild-pending']);

    const { status, stdout, stderr } = npmRun('projections', ['rebuild'], dir);
    expect(status).toBe(0);
    const n = events.toLocaleString('en-US');
    expect(stderr).toContain(`${n}/${n} events`);
    expect(stdout).toMatch(new RegExp(`Rebuilt complaints, preventive-measures, personal-data-reads: ${n} events in [0-9.]+ s`));
    const rows = statusRows(stdout);
    expect([...rows.keys()]).toEqual(['complaints', 'preventive-measures', 'personal-data-reads']);
    for (const row of rows.values()) expect(row.slice(1)).toEqual([String(events), String(events), '0', 'ok']);

    const readModels = new Database(join(dir, 'read-models.sqlite'), { readonly: true });
    expect((readModels.prepare('SELECT count(*) AS n FROM complaints').get() as { n: number }).n).toBe(registered);
    readModels.close();
  });

  it('rebuilds one projection by name', () => {
    const { status, stdout } = npmRun('projections', ['rebuild', 'complaints'], dir);
    expect(status).toBe(0);
    expect(stdout).toMatch(/Rebuilt complaints: [0-9,]+ events/);
  });

  it('an unknown projection or command gets what is wrong, the usage, and exit 2', () => {
    const unknown = npmRun('projections', ['rebuild', 'no-such-projection'], dir);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('there is no projection named no-such-projection (known: complaints, preventive-measures, personal-data-reads)');
    expect(unknown.stderr).toContain('usage: npm run projections -- status');

    const usage = npmRun('projections', ['frobnicate'], dir);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('usage: npm run projections -- status');
  });
});
