import type { Client } from 'pg';
import { pg } from '../infrastructure/pg-driver';
import type { Logger } from 'pino';
import { LeasedWork, LeaseHandle, Leases, LeaseState } from './leases';

export interface PostgresLeasesOptions {
  /** DATABASE_URL; must reach the server directly (a pooler in transaction mode does not keep sessions, nor their locks) */
  connectionString: string;
  /** what makes the leases of one deployment its own (the lock keys derive from it and the lease name), e.g. its schema */
  scope: string;
  logger: Logger;
  /** how often a lease held elsewhere is tried again, and the holder's connection checked; default 1000 ms */
  intervalMs?: number;
  /** a lease whose work failed to start is tried again after this, doubling up to a minute; default 1000 ms */
  restartDelayMs?: number;
}

/** Arbitrary, fixed: the first key of every lease's advisory lock (the schema locks of the stores use others). */
const LEASE_LOCK_NAMESPACE = 0x4c454153;
const MAX_RESTART_DELAY_MS = 60_000;
/**
 * The server gives up on a silent client after idle + interval × count
 * seconds of unanswered keepalives (a dead host, a cut network), ending its
 * session and so its locks, and another instance takes over; on a process
 * that dies on a live host the socket closes at once.
 */
const SERVER_KEEPALIVES = { idle: 5, interval: 2, count: 3 };
/** a query of the lease connection that takes longer means the connection is gone: the holder stops before the server gives up on it */
const QUERY_TIMEOUT_MS = 4000;

interface Entry {
  readonly name: string;
  readonly key: string;
  readonly work: LeasedWork;
  /** the session whose lock this instance holds, while it holds it */
  holder: Client | undefined;
  since: number | undefined;
  /** starts and stops of the work, one after the other */
  transitions: Promise<void>;
  failures: number;
  retryAt: number;
  released: boolean;
}

/**
 * Leases as PostgreSQL session advisory locks, held on one connection of
 * this process reserved for them: `pg_try_advisory_lock(namespace,
 * hashtext(scope/name))`. At most one session holds a lock, so at most one
 * instance runs each piece of work; the server frees the lock when the
 * session ends, however it ends (a SIGKILLed holder's socket closes at once;
 * a dead host's is noticed by the server's TCP keepalives, set on the
 * session), and the next instance to try gets it. No lease table, no expiry
 * to tune, no clock shared between machines.
 *
 * Every `intervalMs` this process tries the leases it does not hold and
 * checks the connection (`SELECT 1`) when it holds some. A connection that
 * fails or ends, or a check that does not answer within a few seconds, means
 * its locks may be gone: the work of every lease held on it is stopped at
 * once, and the leases are tried again on a new connection.
 *
 * Between a holder losing its connection and stopping its work, another
 * instance may already run the same work. The work is safe with that (it
 * must be): projections move their checkpoints by compare-and-set, deadline
 * firings are idempotent commands, the Kafka relay is at-least-once.
 */
export class PostgresLeases implements Leases {
  readonly kind = 'postgres';
  private readonly entries = new Map<string, Entry>();
  private readonly intervalMs: number;
  private readonly restartDelayMs: number;
  private readonly logger: Logger;
  private client: Client | undefined;
  private connecting: Promise<Client | undefined> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly options: PostgresLeasesOptions) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.restartDelayMs = options.restartDelayMs ?? 1000;
    this.logger = options.logger.child({ component: 'leases' });
  }

  async hold(name: string, work: LeasedWork): Promise<LeaseHandle> {
    if (this.closed) throw new Error('the leases are closed');
    if (this.entries.has(name)) throw new Error(`lease ${name} is held already`);
    const entry: Entry = {
      name,
      key: `${this.options.scope}/${name}`,
      work,
      holder: undefined,
      since: undefined,
      transitions: Promise.resolve(),
      failures: 0,
      retryAt: 0,
      released: false,
    };
    this.entries.set(name, entry);
    // a round already under way may have looked at the leases before this one
    await this.ticking;
    await this.tick();
    await entry.transitions;
    this.schedule();
    return { name, held: () => entry.holder !== undefined, release: () => this.release(entry) };
  }

  states(): LeaseState[] {
    return [...this.entries.values()].map((e) => ({ name: e.name, held: e.holder !== undefined, ...(e.since ? { since: new Date(e.since).toISOString() } : {}) }));
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.ticking;
    await Promise.all([...this.entries.values()].map((entry) => this.release(entry)));
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  // ── the loop ────────────────────────────────────────────────────────────

  private schedule(): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.tick().finally(() => this.schedule());
    }, this.intervalMs);
  }

  /** One round: connect if need be, try the free leases, check the connection. Never throws; one at a time. */
  private tick(): Promise<void> {
    this.ticking ??= this.round()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'lease round failed'))
      .finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async round(): Promise<void> {
    const wanted = [...this.entries.values()].filter((e) => !e.released && e.holder === undefined && e.retryAt <= Date.now());
    const holding = [...this.entries.values()].some((e) => e.holder !== undefined);
    if (wanted.length === 0 && !holding) return;
    const client = await this.connection();
    if (!client) return;
    try {
      for (const entry of wanted) {
        const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked', [LEASE_LOCK_NAMESPACE, entry.key]);
        if (rows[0].locked) this.acquired(entry, client);
      }
      if (wanted.length === 0) await client.query('SELECT 1');
    } catch (error) {
      this.connectionLost(client, error);
    }
  }

  private acquired(entry: Entry, client: Client): void {
    if (this.closed || entry.released) {
      void unlock(client, entry.key);
      return;
    }
    entry.holder = client;
    entry.since = Date.now();
    this.logger.info({ lease: entry.name }, `lease ${entry.name} acquired: it runs on this instance`);
    entry.transitions = entry.transitions.then(async () => {
      if (entry.holder !== client) return; // lost meanwhile
      try {
        await entry.work.start();
        entry.failures = 0;
      } catch (error) {
        entry.failures += 1;
        const delay = Math.min(this.restartDelayMs * 2 ** (entry.failures - 1), MAX_RESTART_DELAY_MS);
        entry.retryAt = Date.now() + delay;
        this.logger.error({ err: error, lease: entry.name, retryInMs: delay }, `lease ${entry.name}: the work failed to start; giving the lease up, trying again in ${delay} ms`);
        await stopQuietly(entry, this.logger);
        if (entry.holder === client) {
          entry.holder = undefined;
          entry.since = undefined;
          await unlock(client, entry.key);
        }
      }
    });
  }

  /** The lease connection failed: whatever it held may be another's by now, so stop all of it. */
  private connectionLost(client: Client, error?: unknown): void {
    if (this.client === client) this.client = undefined;
    void client.end().catch(() => undefined);
    for (const entry of this.entries.values()) {
      if (entry.holder !== client) continue;
      entry.holder = undefined;
      entry.since = undefined;
      if (!this.closed) this.logger.warn({ err: error, lease: entry.name }, `lease ${entry.name} lost with its connection: stopping its work here`);
      entry.transitions = entry.transitions.then(() => stopQuietly(entry, this.logger));
    }
  }

  private release(entry: Entry): Promise<void> {
    if (!entry.released) {
      entry.released = true;
      const client = entry.holder;
      entry.holder = undefined;
      entry.since = undefined;
      entry.transitions = entry.transitions.then(async () => {
        if (!client) return;
        await stopQuietly(entry, this.logger);
        await unlock(client, entry.key);
        this.logger.info({ lease: entry.name }, `lease ${entry.name} released`);
      });
    }
    return entry.transitions;
  }

  private connection(): Promise<Client | undefined> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async connect(): Promise<Client | undefined> {
    const client = new (pg().Client)({
      connectionString: this.options.connectionString,
      application_name: 'complaints-leases',
      keepAlive: true,
      connectionTimeoutMillis: QUERY_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
    });
    client.on('error', (error) => this.connectionLost(client, error));
    client.on('end', () => this.connectionLost(client, new Error('the lease connection ended')));
    try {
      await client.connect();
      await client.query(
        `SET tcp_keepalives_idle = ${SERVER_KEEPALIVES.idle}; SET tcp_keepalives_interval = ${SERVER_KEEPALIVES.interval}; SET tcp_keepalives_count = ${SERVER_KEEPALIVES.count}`,
      );
    } catch (error) {
      this.logger.warn({ err: error }, 'cannot open the lease connection; trying again');
      await client.end().catch(() => undefined);
      return undefined;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return undefined;
    }
    this.client = client;
    return client;
  }
}

async function stopQuietly(entry: Entry, logger: Logger): Promise<void> {
  try {
    await entry.work.stop();
  } catch (error) {
    logger.error({ err: error, lease: entry.name }, `lease ${entry.name}: stopping its work failed`);
  }
}

async function unlock(client: Client, key: string): Promise<void> {
  await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LEASE_LOCK_NAMESPACE, key]).catch(() => undefined);
}
