import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import pino from 'pino';
import { LeasedWork } from './leases';
import { PostgresLeases } from './postgres-leases';

const POSTGRES_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const SKIPPED = process.env.COMPLAINTS_SKIP_POSTGRES === '1';

/** work that records what was done to it */
class Recorder implements LeasedWork {
  readonly calls: string[] = [];
  constructor(private readonly failStarts = 0) {}
  start(): void {
    this.calls.push('start');
    if (this.calls.filter((c) => c === 'start').length <= this.failStarts) throw new Error('cannot start');
  }
  stop(): void {
    this.calls.push('stop');
  }
  get running(): boolean {
    return this.calls.at(-1) === 'start' && this.calls.filter((c) => c === 'start').length > this.failStarts;
  }
}

async function withClient<T>(use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** the backend holding the advisory lock of lease `name` in `scope` */
function holderPid(scope: string, name: string): Promise<number | undefined> {
  return withClient(async (client) => {
    const { rows } = await client.query<{ pid: number }>(
      `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2
          AND classid = $1 AND objid::bigint = (hashtext($2)::bigint & 4294967295)`,
      [0x4c454153, `${scope}/${name}`],
    );
    return rows[0]?.pid;
  });
}

async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

(SKIPPED ? describe.skip : describe)('PostgresLeases', () => {
  const opened: PostgresLeases[] = [];
  let scope: string;
  const leases = () => {
    const instance = new PostgresLeases({ connectionString: POSTGRES_URL, scope, logger: pino({ level: 'silent' }), intervalMs: 50, restartDelayMs: 50 });
    opened.push(instance);
    return instance;
  };

  beforeEach(() => {
    scope = `test_${process.pid}_${randomBytes(4).toString('hex')}`;
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((instance) => instance.close()));
  });

  it('runs the work on one instance only, and on the other once the holder releases it', async () => {
    const [a, b] = [leases(), leases()];
    const [onA, onB] = [new Recorder(), new Recorder()];
    const held = await a.hold('work', onA);
    await b.hold('work', onB);
    await new Promise((resolve) => setTimeout(resolve, 200)); // several rounds of B trying

    expect(held.held()).toBe(true);
    expect([onA.calls, onB.calls]).toEqual([['start'], []]);
    expect(b.states()).toEqual([{ name: 'work', held: false }]);

    await held.release();
    expect(onA.calls).toEqual(['start', 'stop']);
    await eventually(() => onB.running);
    expect(b.states()).toEqual([{ name: 'work', held: true, since: expect.any(String) }]);
  });

  it('stops the work of a holder whose session the server ended; then one instance, never two, runs it', async () => {
    const [a, b] = [leases(), leases()];
    const [onA, onB] = [new Recorder(), new Recorder()];
    await a.hold('work', onA);
    await b.hold('work', onB);
    const pid = await holderPid(scope, 'work');
    expect(pid).toBeDefined();

    await withClient((client) => client.query('SELECT pg_terminate_backend($1)', [pid]));

    // A connects again, so either may win the free lock
    await eventually(async () => onA.calls.includes('stop') && onA.running !== onB.running && (await holderPid(scope, 'work')) !== undefined);
    expect(onA.calls.slice(0, 2)).toEqual(['start', 'stop']);
    expect(await holderPid(scope, 'work')).not.toBe(pid);
    expect([onA.running, onB.running].filter(Boolean)).toHaveLength(1);
  });

  it('hands the work over when the holder closes (its process ends)', async () => {
    const [a, b] = [leases(), leases()];
    const [onA, onB] = [new Recorder(), new Recorder()];
    await a.hold('work', onA);
    await b.hold('work', onB);

    await a.close();

    expect(onA.calls).toEqual(['start', 'stop']);
    await eventually(() => onB.running);
  });

  it('gives the lease up when the work fails to start, and tries again later', async () => {
    const [a, b] = [leases(), leases()];
    const failing = new Recorder(2);
    await a.hold('work', failing);
    await eventually(() => failing.running);
    // two failed starts, each followed by a stop; the third start holds
    expect(failing.calls).toEqual(['start', 'stop', 'start', 'stop', 'start']);
    const onB = new Recorder();
    await b.hold('work', onB);
    expect(onB.calls).toEqual([]);
  });

  it('keeps different leases apart, and different scopes apart', async () => {
    const a = leases();
    const [x, y] = [new Recorder(), new Recorder()];
    await a.hold('x', x);
    await a.hold('y', y);
    scope = `${scope}_other`;
    const other = new Recorder();
    await leases().hold('x', other);
    expect([x.running, y.running, other.running]).toEqual([true, true, true]);
  });
});
