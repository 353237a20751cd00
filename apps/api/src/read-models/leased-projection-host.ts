import { Kysely, sql } from 'kysely';
import { pg } from '../infrastructure/pg-driver';
import type { Logger } from 'pino';
import { EventStore } from '@complaints/event-store';
import {
  CheckpointStore,
  Projection,
  ProjectionHost,
  ProjectionRunner,
  ProjectionRunnerOptions,
  ProjectionRunnerStoppedError,
  ProjectionStatus,
  WaitForPositionTimeoutError,
} from '@complaints/read-models';
import { LeaseHandle, Leases } from '../cluster/leases';
import { PgListener } from '../cluster/pg-listener';

export const PROJECTIONS_LEASE = 'projections';

export interface LeasedProjectionHostOptions {
  store: EventStore;
  /** the read models on PostgreSQL, shared by every instance */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each projection owns its own tables
  db: Kysely<any>;
  projections: readonly Projection[];
  leases: Leases;
  /** DATABASE_URL: the LISTEN connection and the migration lock */
  connectionString: string;
  /** the read models' schema: names the notification channels and the migration lock */
  schema: string;
  logger: Logger;
  settings?: Pick<ProjectionRunnerOptions, 'batchSize' | 'pollIntervalMs' | 'retry'>;
  /** how long waitForPosition waits by default; 5000 ms */
  waitTimeoutMs?: number;
  /** how often an instance that does not hold the lease reads the checkpoints while someone waits; default 250 ms */
  followPollMs?: number;
}

interface Waiter {
  position: number;
  resolve: () => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout;
}

/** Arbitrary, fixed: the first key of the advisory lock that serialises the read models' DDL between instances. */
const MIGRATION_LOCK_NAMESPACE = 0x524d4d47;

/**
 * The projections of a cluster whose read models are in PostgreSQL: one
 * ProjectionRunner, in this process, on whichever instance holds the lease
 * `projections`; the other instances follow.
 *
 * Why in this thread and not in the projection worker: with PostgreSQL the
 * read models' writes are asynchronous I/O (what made the worker worth it on
 * SQLite was better-sqlite3 holding the thread for every write), and the
 * instance that runs them is one of several, which an operator can keep out
 * of the load balancer (docker-compose's `worker`).
 *
 * The holder's runner tells the others how far it got after each batch
 * (NOTIFY `<schema>.progress`); an instance whose query waits for a position
 * asks the holder to project now (NOTIFY `<schema>.wait`) rather than after
 * its coalescing delay, and reads the checkpoints itself now and then in case
 * a notification was missed. So every instance reads its own writes, as the
 * single process does. When the holder dies, another instance's runner goes
 * on from the checkpoints: they commit with the read models, so nothing is
 * lost or applied twice.
 *
 * Every instance creates the tables (idempotent) before it serves queries;
 * that, and the holder's start (which may reset and rebuild projections),
 * take turns under an advisory lock, because concurrent CREATE ... IF NOT
 * EXISTS can collide in PostgreSQL's catalog.
 */
export class LeasedProjectionHost implements ProjectionHost {
  private runner: ProjectionRunner | undefined;
  private readonly checkpoints: CheckpointStore;
  private readonly listener: PgListener;
  private readonly progressChannel: string;
  private readonly waitChannel: string;
  private readonly waitTimeoutMs: number;
  private readonly followPollMs: number;
  private readonly logger: Logger;
  private lease: LeaseHandle | undefined;
  private reached = 0;
  private poked = 0;
  private readonly waiters = new Set<Waiter>();
  private pollTimer: NodeJS.Timeout | undefined;
  private stopRequested = false;
  private stopping: Promise<void> | undefined;
  private readonly startedSignal: { promise: Promise<void>; resolve: () => void };

  constructor(private readonly options: LeasedProjectionHostOptions) {
    this.logger = options.logger;
    this.waitTimeoutMs = options.waitTimeoutMs ?? 5000;
    this.followPollMs = options.followPollMs ?? 250;
    this.progressChannel = `${options.schema}.progress`;
    this.waitChannel = `${options.schema}.wait`;
    this.checkpoints = new CheckpointStore(options.db);
    this.listener = new PgListener({
      connectionString: options.connectionString,
      channels: [this.progressChannel, this.waitChannel],
      onNotification: (channel, payload) => this.onNotification(channel, payload),
      onReconnected: () => void this.follow(),
      logger: options.logger,
    });
    let resolveStarted!: () => void;
    this.startedSignal = { promise: new Promise<void>((r) => (resolveStarted = r)), resolve: resolveStarted };
  }

  /** Creates the tables, then runs the projections here if the lease is free; resolves once queries may run. */
  async start(): Promise<void> {
    await this.withMigrationLock(async () => {
      await this.checkpoints.migrate();
      for (const projection of this.options.projections) await projection.migrate(this.options.db);
    });
    await this.listener.start();
    await this.follow();
    this.startedSignal.resolve();
    this.lease = await this.options.leases.hold(PROJECTIONS_LEASE, { start: () => this.lead(), stop: () => this.stopLeading() });
  }

  started(): Promise<void> {
    return this.startedSignal.promise;
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.stopRequested = true;
      if (this.pollTimer) clearTimeout(this.pollTimer);
      await this.lease?.release();
      await this.stopLeading();
      await this.listener.close();
      for (const waiter of this.waiters) {
        clearTimeout(waiter.timer);
        waiter.reject(new ProjectionRunnerStoppedError());
      }
      this.waiters.clear();
    })();
    return this.stopping;
  }

  waitForPosition(position: number, timeoutMs: number = this.waitTimeoutMs): Promise<void> {
    if (position <= 0 || position <= this.reached) return Promise.resolve();
    if (this.stopRequested) return Promise.reject(new ProjectionRunnerStoppedError());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        position,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          this.behind(position).then(
            (names) => reject(new WaitForPositionTimeoutError(position, timeoutMs, names)),
            () => reject(new WaitForPositionTimeoutError(position, timeoutMs, [])),
          );
        }, timeoutMs),
      };
      this.waiters.add(waiter);
      this.poke(position);
    });
  }

  /** The runner's own report here; elsewhere, the checkpoints as the holder's runner keeps them. */
  async status(): Promise<ProjectionStatus[]> {
    if (this.runner) return this.runner.status();
    const [stored, head] = await Promise.all([this.checkpoints.loadAll(), this.options.store.headPosition()]);
    return this.options.projections.map(({ name, version }) => {
      const checkpoint = stored.get(name);
      const current = checkpoint !== undefined && checkpoint.version === version && checkpoint.status !== 'rebuilding';
      const position = checkpoint?.position ?? 0;
      return {
        name,
        version,
        position,
        head,
        lag: Math.max(0, head - position),
        status: current ? (checkpoint.status as 'ok' | 'failing') : 'rebuild-pending',
        lastError: checkpoint?.lastError ?? null,
        lastBatchAt: checkpoint?.updatedAt ?? null,
      };
    });
  }

  /** whether the projections run in this process now */
  leading(): boolean {
    return this.runner !== undefined;
  }

  // ── holding the lease ───────────────────────────────────────────────────

  private async lead(): Promise<void> {
    if (this.stopRequested) return;
    const { store, db, projections, settings } = this.options;
    const runner = new ProjectionRunner({
      store,
      db,
      projections,
      logger: this.logger,
      ...settings,
      onProgress: (reached) => this.progress(reached, runner),
    });
    this.runner = runner;
    try {
      await this.withMigrationLock(() => runner.start());
    } catch (error) {
      this.runner = undefined;
      await runner.stop().catch(() => undefined);
      throw error;
    }
    this.logger.info({}, 'the projections run on this instance');
    this.progress(runner.reachedPosition(), runner);
  }

  private async stopLeading(): Promise<void> {
    const runner = this.runner;
    if (!runner) return;
    this.runner = undefined;
    await runner.stop();
    if (!this.stopRequested) this.schedulePoll();
  }

  private progress(reached: number, runner: ProjectionRunner): void {
    if (this.runner !== runner) return;
    this.settle(reached);
    // the others learn it too (a failed notify only delays them until their next look at the checkpoints)
    sql`SELECT pg_notify(${this.progressChannel}, ${String(reached)})`.execute(this.options.db).catch(() => undefined);
  }

  // ── following ───────────────────────────────────────────────────────────

  private onNotification(channel: string, payload: string): void {
    const position = Number(payload);
    if (!Number.isSafeInteger(position)) return;
    if (channel === this.waitChannel) {
      // someone elsewhere waits: project now rather than after the runner's coalescing delay
      this.runner?.waitForPosition(position).catch(() => undefined);
    } else if (!this.runner) {
      this.settle(position);
    }
  }

  /** Asks whoever runs the projections to reach `position` soon. */
  private poke(position: number): void {
    if (this.runner) {
      this.runner.waitForPosition(position).catch(() => undefined);
      return;
    }
    if (position > this.poked) {
      this.poked = position;
      sql`SELECT pg_notify(${this.waitChannel}, ${String(position)})`.execute(this.options.db).catch(() => undefined);
    }
    this.schedulePoll();
  }

  /** While somebody waits and another instance runs the projections, read the checkpoints now and then. */
  private schedulePoll(): void {
    if (this.pollTimer || this.waiters.size === 0 || this.runner || this.stopRequested) return;
    this.pollTimer = setTimeout(() => {
      this.pollTimer = undefined;
      void this.follow().finally(() => this.schedulePoll());
    }, this.followPollMs);
  }

  /** Reads how far the read models are from the checkpoints (the holder's runner keeps them with the rows). */
  private async follow(): Promise<void> {
    if (this.runner) return;
    try {
      const reached = await this.reachedInCheckpoints();
      if (!this.runner) this.settle(reached);
    } catch (error) {
      this.logger.warn({ err: error }, 'cannot read the projection checkpoints');
    }
  }

  /** What every projection that is not failing has applied, as ProjectionRunner.reachedPosition() counts it. */
  private async reachedInCheckpoints(): Promise<number> {
    const stored = await this.checkpoints.loadAll();
    let reached = Number.MAX_SAFE_INTEGER;
    for (const { name, version } of this.options.projections) {
      const checkpoint = stored.get(name);
      if (checkpoint?.status === 'failing' && checkpoint.version === version) continue;
      const position = checkpoint?.version === version && checkpoint.status === 'ok' ? checkpoint.position : 0;
      reached = Math.min(reached, position);
    }
    return reached;
  }

  private async behind(position: number): Promise<string[]> {
    const statuses = await this.status();
    return statuses.filter((s) => s.status !== 'failing' && s.position < position).map((s) => s.name);
  }

  private settle(reached: number): void {
    this.reached = reached;
    for (const waiter of this.waiters) {
      if (waiter.position > reached) continue;
      clearTimeout(waiter.timer);
      this.waiters.delete(waiter);
      waiter.resolve();
    }
  }

  /** `work` while this process holds the read models' DDL lock, on a connection of its own. */
  private async withMigrationLock<T>(work: () => Promise<T>): Promise<T> {
    const client = new (pg().Client)({ connectionString: this.options.connectionString, application_name: 'complaints-migrations' });
    await client.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [MIGRATION_LOCK_NAMESPACE, this.options.schema]);
      return await work();
    } finally {
      // ending the session releases the lock
      await client.end().catch(() => undefined);
    }
  }
}
