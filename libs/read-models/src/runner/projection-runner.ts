import { setImmediate as yieldToIo } from 'node:timers/promises';
import { Kysely, sql, SqliteAdapter } from 'kysely';
import { BackgroundLogReader, EventStore, RecordedEvent, Subscription } from '@complaints/event-store';
import { Projection } from '../projection';
import { CheckpointConflictError, CheckpointStore } from './checkpoint.store';
import { ProjectionFailedError, ProjectionRunnerStoppedError, UnknownProjectionError, WaitForPositionTimeoutError } from './projection-runner.errors';
import type { ProjectionHost } from './projection-host';
import { RunnerLogger, silentLogger } from './runner-logger';
import { SqliteWriterThread } from './sqlite-writer-thread';
import { WalCheckpointer } from './wal-checkpointer';

/**
 * What the runner needs of the event store: `subscribe` only wakes it when
 * this process appends. A store that can read in another thread
 * (`openBackgroundReader`, SQLite) has a rebuild read each batch while the
 * one before is applied.
 */
export type ProjectionLog = Pick<EventStore, 'readAll' | 'headPosition' | 'subscribe'> & { openBackgroundReader?: () => BackgroundLogReader };

export interface ProjectionRunnerOptions {
  store: ProjectionLog;
  /** the read-model database; the checkpoints live in it too */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each projection owns its own tables
  db: Kysely<any>;
  projections: readonly Projection[];
  /** events read from the log at a time, applied in one transaction; default 2000 */
  batchSize?: number;
  /**
   * while far behind (a rebuild, a long stop) each full batch doubles the next
   * one, up to this; a read that reaches the head of the log starts again at
   * `batchSize`. Bigger batches let a projection write a row once for many of
   * its events instead of once per batch. Default 10,000, or `batchSize` when
   * only that is given (fixed batches). A deferred rebuild writes little per
   * batch whatever its size, and the events of a batch (and of the one read
   * ahead) are what its memory holds besides what the projections keep.
   */
  maxBatchSize?: number;
  /** how often to look for events appended by other processes; default 200 ms */
  pollIntervalMs?: number;
  /** the retry delay of a failing projection doubles from `initialDelayMs` (default 1 s) up to `maxDelayMs` (default 60 s) */
  retry?: { initialDelayMs?: number; maxDelayMs?: number };
  /** how long `waitForPosition` waits by default; 5000 ms */
  waitTimeoutMs?: number;
  logger?: RunnerLogger;
  /**
   * default true: a subscription on the store wakes the runner when this
   * process appends. false when the appends happen elsewhere and are
   * reported through {@link ProjectionRunner.appended} (a runner in a worker
   * thread: its store sees no commits of its own, so the subscription would
   * only read every new event a second time).
   */
  wakeOnAppend?: boolean;
  /**
   * called after each batch with {@link ProjectionRunner.reachedPosition}: a
   * host in another thread forwards it to those waiting there
   */
  onProgress?: (reached: number) => void;
  /**
   * SQLite: the page cache of the connection that writes while `rebuild()`
   * runs, in MiB (default 32; see tuneSqliteForRebuild). A rebuild writes complaints as they leave
   * its memory, a day or two of the log behind the newest, so its inserts
   * land all over the last part of each table: with the small cache nearly
   * every one reads its page back from the file.
   */
  rebuildCacheMb?: number;
}

/**
 * - `ok`: applying events as they come;
 * - `failing`: its last batch threw; it is retried with backoff, the others go on;
 * - `rebuild-pending` (only from a runner that is not started): it has no
 *   checkpoint yet, or one written by another version of its code; starting
 *   the runner rebuilds it from position 0.
 */
export type ProjectionState = 'ok' | 'failing' | 'rebuild-pending';

export interface ProjectionStatus {
  name: string;
  /** the version of the code */
  version: number;
  /** the position of the last event applied; 0: none */
  position: number;
  /** the position of the last event in the log */
  head: number;
  /** events (positions) still to apply */
  lag: number;
  status: ProjectionState;
  lastError: string | null;
  /**
   * When the runner last applied a batch to it or found it at the head of the
   * log (ISO-8601): while the runner is alive this is at most a poll interval
   * old unless the projection is working through a batch or stuck. From a
   * runner that is not started, when its checkpoint last changed.
   */
  lastBatchAt: string | null;
}

export interface RebuildResult {
  projections: string[];
  /** where the rebuilt projections stand: the head of the log when the rebuild began, or later */
  position: number;
  /** events this call read and applied */
  events: number;
  durationMs: number;
}

/** The runner's view of one projection; `position` is its committed checkpoint. */
interface Tracked {
  readonly projection: Projection;
  position: number;
  failure: { reason: string; attempts: number; retryAt: number } | undefined;
  lastBatchAt: number;
  /**
   * this runner is rebuilding it from position 0 with deferred batches
   * (`defersWhileRebuilding`): its checkpoint says `rebuilding`, and its read
   * model is whole only once a batch at the head of the log was applied
   */
  deferred: boolean;
}

interface Waiter {
  position: number;
  resolve: () => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout;
}

/** A projection's `apply` threw; carries which one, so the batch can be redone without it. */
class ApplyFailure extends Error {
  constructor(
    readonly tracked: Tracked,
    readonly error: unknown,
  ) {
    super(`projection ${tracked.projection.name} failed`);
  }
}

/**
 * The runners of this process on each read-model database (Kysely instance).
 * A rebuild moves its writes to a connection of its own only while its
 * runner is the one here: a second runner writing through the shared
 * connection meanwhile would wait for the rebuild's transaction with this
 * thread blocked (SQLite's busy wait), the thread that must finish it.
 */
const runnersByDb = new WeakMap<object, Set<ProjectionRunner>>();

const DEFAULT_BATCH_SIZE = 2000;
const DEFAULT_MAX_BATCH_SIZE = 10_000;
const DEFAULT_REBUILD_CACHE_MB = 32;
/** how long the runner lets appends gather before projecting them, when no query waits */
const APPEND_COALESCE_MS = 25;
/** events one read of the log takes at most */
const READ_PAGE = 10_000;
const DEFAULT_POLL_INTERVAL_MS = 200;
const DEFAULT_RETRY_INITIAL_MS = 1000;
const DEFAULT_RETRY_MAX_MS = 60_000;
const DEFAULT_WAIT_TIMEOUT_MS = 5000;
const MAX_ERROR_LENGTH = 2000;

/**
 * Keeps the read models up to date with the event log.
 *
 * One loop reads the log in batches from the lowest checkpoint and applies
 * each batch to every projection that is behind, each getting only the events
 * after its own checkpoint: a rebuild of all projections reads the log once.
 * A batch's read-model changes and the new checkpoints of its projections
 * commit in one transaction of the read-model database, so a crash leaves
 * every read model exactly at its checkpoint. Projections far apart (one
 * rebuilding, the others live) are served by separate reads in the same turn,
 * so the live ones never wait for the rebuild.
 *
 * A projection whose `apply` throws is rolled back, marked `failing` (with
 * the error, in its checkpoint row) and retried from the same position with
 * a doubling delay; the batch is redone for the others, who go on. A failing
 * projection never skips an event: it stays behind until it succeeds.
 *
 * After reaching the head it sleeps until this process appends (a
 * subscription on the store serves as the doorbell) or the poll interval
 * passes (appends by other processes).
 *
 * A projection that `defersWhileRebuilding` gets `deferred` batches while it
 * is rebuilt from position 0, and may keep in memory what they derive until
 * the batch at the head of the log (or a batch without events there, or the
 * end of `rebuild()`, or `stop()`) has it write everything. Until then its
 * checkpoint says `rebuilding`: nobody waiting for a position counts it as
 * there, and a runner that finds such a checkpoint at startup (this one
 * crashed) rebuilds it from 0 again. A deferred batch that fails, or finds
 * its projection's memory gone, also restarts the rebuild from 0.
 *
 * One runner per read-model database is the intended setup. A second one (the
 * CLI rebuilding while the API runs) is safe: every checkpoint moves by
 * compare-and-set, so a batch is never applied twice; the loser reloads. A
 * rebuild in progress moves only by the runner doing it; another one waits
 * for it as for a failing projection.
 */
export class ProjectionRunner implements ProjectionHost {
  private readonly store: ProjectionLog;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each projection owns its own tables
  private readonly db: Kysely<any>;
  /**
   * where the batches' transactions run: `db`, or during a rebuild on a
   * SQLite file the same file through a connection in a thread of its own
   * (see tuneSqliteForRebuild)
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each projection owns its own tables
  private batchDb: Kysely<any>;
  private readonly projections: readonly Projection[];
  private readonly checkpoints: CheckpointStore;
  private readonly batchSize: number;
  private readonly maxBatchSize: number;
  private readonly rebuildCacheMb: number;
  /** the size of the next read: doubles while reads come back full, back to `batchSize` at the head */
  private readSize: number;
  private readonly pollIntervalMs: number;
  private readonly retryInitialMs: number;
  private readonly retryMaxMs: number;
  private readonly waitTimeoutMs: number;
  private readonly logger: RunnerLogger;
  private readonly onProgress: ((reached: number) => void) | undefined;
  private readonly wakeOnAppend: boolean;
  private readonly startedSignal = signal();

  /** loaded by prepare(); until then the runner knows no positions */
  private tracked: Tracked[] | undefined;
  private preparing: Promise<Tracked[]> | undefined;
  /** the tail of the work that touches the read models (batches, resets, preparation): one at a time */
  private queue: Promise<unknown> = Promise.resolve();
  private isStarted = false;
  private loop: Promise<void> | undefined;
  private notifier: Subscription | undefined;
  private stopRequested = false;
  private stopping: Promise<void> | undefined;
  /** set by wake(), cleared before each turn: an append during a turn is not slept through */
  private wakeRequested = false;
  private endSleep: (() => void) | undefined;
  private readonly waiters = new Set<Waiter>();
  /** during rebuild(), when the store has one: reads in another thread, and the read of the batch expected next */
  private backgroundReader: BackgroundLogReader | undefined;
  private readAhead: { from: number; limit: number; events: Promise<RecordedEvent[]> } | undefined;

  constructor(options: ProjectionRunnerOptions) {
    this.store = options.store;
    this.db = options.db;
    this.batchDb = options.db;
    if (!runnersByDb.has(options.db)) runnersByDb.set(options.db, new Set());
    runnersByDb.get(options.db)!.add(this);
    this.projections = [...options.projections];
    this.checkpoints = new CheckpointStore(options.db);
    this.batchSize = positiveInteger('batchSize', options.batchSize ?? DEFAULT_BATCH_SIZE);
    const maxBatchSize = options.maxBatchSize ?? (options.batchSize === undefined ? DEFAULT_MAX_BATCH_SIZE : this.batchSize);
    this.maxBatchSize = Math.max(this.batchSize, positiveInteger('maxBatchSize', maxBatchSize));
    this.rebuildCacheMb = positiveInteger('rebuildCacheMb', options.rebuildCacheMb ?? DEFAULT_REBUILD_CACHE_MB);
    this.readSize = this.batchSize;
    this.pollIntervalMs = positiveInteger('pollIntervalMs', options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS);
    this.retryInitialMs = positiveInteger('retry.initialDelayMs', options.retry?.initialDelayMs ?? DEFAULT_RETRY_INITIAL_MS);
    this.retryMaxMs = Math.max(this.retryInitialMs, positiveInteger('retry.maxDelayMs', options.retry?.maxDelayMs ?? DEFAULT_RETRY_MAX_MS));
    this.waitTimeoutMs = positiveInteger('waitTimeoutMs', options.waitTimeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS);
    this.logger = options.logger ?? silentLogger;
    this.onProgress = options.onProgress;
    this.wakeOnAppend = options.wakeOnAppend ?? true;

    const names = new Set<string>();
    for (const { name, version } of this.projections) {
      if (!name) throw new Error('a projection needs a name');
      if (names.has(name)) throw new Error(`two projections are named ${name}: the name is the checkpoint key`);
      names.add(name);
      positiveInteger(`the version of projection ${name}`, version);
    }
  }

  /**
   * Migrates every projection, rebuilds from position 0 those that have no
   * checkpoint or one of another version, then catches up and follows the
   * log in the background. Resolves once the loop runs.
   */
  async start(): Promise<void> {
    if (this.stopRequested) throw new ProjectionRunnerStoppedError();
    if (this.isStarted) throw new Error('the projection runner is already started');
    this.isStarted = true;
    let head: number;
    try {
      await this.prepare();
      head = await this.store.headPosition();
    } catch (error) {
      this.isStarted = false;
      throw error;
    }
    this.startedSignal.resolve();
    if (this.stopRequested) return;
    if (this.wakeOnAppend) {
      this.notifier = this.store.subscribe(() => this.onAppend(), {
        fromPosition: head,
        onError: (error) => this.logger.warn({ err: error }, 'the append notifier of the projection runner stopped; new events are found by polling'),
      });
    }
    this.loop = this.run();
    this.logger.info(
      { projections: this.projections.map((p) => p.name), batchSize: this.batchSize, pollIntervalMs: this.pollIntervalMs },
      'projection runner started',
    );
  }

  /** Resolves once start() has finished (the tables exist); pending until then. */
  started(): Promise<void> {
    return this.startedSignal.promise;
  }

  /**
   * Events were appended where the runner's store does not see them commit
   * (another thread or process): project them soon, as after an append here.
   */
  appended(): void {
    if (this.isStarted && !this.stopRequested) this.onAppend();
  }

  /**
   * The position every projection that is not failing has reached: what
   * {@link waitForPosition} compares with. 0 before the runner is prepared;
   * Number.MAX_SAFE_INTEGER when every projection is failing (nobody is
   * held back by them).
   */
  reachedPosition(): number {
    if (!this.tracked) return 0;
    let reached = Number.MAX_SAFE_INTEGER;
    for (const t of this.tracked) if (t.failure === undefined && reachedBy(t) < reached) reached = reachedBy(t);
    return reached;
  }

  /** Finishes the batch in flight, then stops. Waiters still pending are rejected. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.shutDown();
    return this.stopping;
  }

  /**
   * Resolves when every projection that is not failing has applied the log up
   * to `position`; for read-your-writes:
   *
   *     await runner.waitForPosition(appendResult.lastPosition);
   *
   * @throws {WaitForPositionTimeoutError} after `timeoutMs` (default: the runner's `waitTimeoutMs`)
   * @throws {ProjectionRunnerStoppedError} when the runner stops first
   */
  waitForPosition(position: number, timeoutMs: number = this.waitTimeoutMs): Promise<void> {
    if (this.hasReached(position)) return Promise.resolve();
    if (this.stopRequested) return Promise.reject(new ProjectionRunnerStoppedError());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        position,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new WaitForPositionTimeoutError(position, timeoutMs, this.namesBehind(position)));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
      // The position may come from another process: look now rather than at the next poll.
      this.wake();
    });
  }

  /**
   * Resets one projection (or all) and replays the log into it up to the
   * head as it is now. Works on a started runner (the others keep going, and
   * the live loop helps) and on one that is not (the CLI).
   *
   * @param onProgress called after each batch with positions: on a log without gaps, events done and events in all
   * @throws {ProjectionFailedError} when a rebuilt projection fails on the way (it stays failing and is retried if the runner is started)
   */
  async rebuild(name?: string, onProgress?: (done: number, total: number) => void): Promise<RebuildResult> {
    if (this.stopRequested) throw new ProjectionRunnerStoppedError();
    if (name !== undefined && !this.projections.some((p) => p.name === name)) {
      throw new UnknownProjectionError(name, this.projections.map((p) => p.name));
    }
    const tracked = await this.prepare();
    const targets = tracked.filter((t) => name === undefined || t.projection.name === name);
    const names = targets.map((t) => t.projection.name);
    const startedAt = performance.now();

    await this.exclusive(async () => {
      this.logger.info({ projections: names }, `rebuilding ${names.join(', ')} from position 0 (requested)`);
      await this.resetToZero(targets);
    });
    const total = await this.store.headPosition();
    const only = new Set(targets);
    let events = 0;
    let done = 0;
    // the log is read in another thread, a batch ahead of the one being applied (see read())
    const reader = this.backgroundReader === undefined ? this.store.openBackgroundReader?.() : undefined;
    if (reader) this.backgroundReader = reader;
    const checkpointing = await this.exclusive(() => this.tuneSqliteForRebuild());
    try {
      for (;;) {
        const failed = targets.find((t) => t.failure !== undefined);
        if (failed?.failure) throw new ProjectionFailedError(failed.projection.name, failed.position, failed.failure.reason);
        done = Math.min(...targets.map((t) => t.position));
        onProgress?.(Math.min(done, total), total);
        if (done >= total) {
          // the last batch may have ended exactly at the head without knowing it: what a projection held back is written now
          if (!targets.some((t) => t.deferred)) break;
          await this.exclusive(() => this.finishDeferred(targets));
          continue;
        }
        if (this.stopRequested) throw new ProjectionRunnerStoppedError();
        events += (await this.exclusive(() => this.catchUp(only))).read;
        await yieldToIo();
      }
    } finally {
      await this.exclusive(() => checkpointing.restore());
      if (reader) {
        // after the batch in flight, which may be reading with it
        await this.exclusive(async () => {
          this.backgroundReader = undefined;
          this.readAhead = undefined;
          await reader.close();
        });
      }
    }

    const durationMs = performance.now() - startedAt;
    this.logger.info({ projections: names, events, durationMs: Math.round(durationMs) }, `rebuilt ${names.join(', ')}`);
    return { projections: names, position: Number.isFinite(done) ? done : total, events, durationMs };
  }

  /**
   * On a SQLite file, a rebuild's batches run through a connection of their
   * own in another thread (SqliteWriterThread): the statements of a batch
   * then execute on the other core while this one folds the next batch (the
   * complaints projection writes a deferred batch's rows in the next one).
   * The runner's work stays one transaction at a time, in order: the other
   * batches (a started runner's live ones) go the same way meanwhile.
   *
   * That connection's commits do not checkpoint: by default every commit
   * that leaves the log past 1000 pages copies it into the database file and
   * syncs both, a quarter of a second per batch of a rebuild (which writes
   * the whole read model, a batch after the other), and the same pages again
   * and again. Without, its commits only append to the log, and one
   * checkpoint at the end copies each page once. Nothing is less safe: a
   * commit in the log is as durable (synchronous=NORMAL syncs at checkpoints
   * either way) and a crash replays the log on the next open; the log file
   * only grows to the size of what the rebuild wrote meanwhile. The log is
   * checkpointed meanwhile from a third thread (WalCheckpointer), so that the
   * final checkpoint has little left to do. Its page cache is
   * `rebuildCacheMb`.
   *
   * Should the thread not start, or another runner of this process share
   * the connection (see runnersByDb), the rebuild runs on the runner's own
   * connection, with the same settings meanwhile.
   */
  private async tuneSqliteForRebuild(): Promise<{ restore: () => Promise<void> }> {
    if (!(this.db.getExecutor().adapter instanceof SqliteAdapter)) return { restore: async () => undefined };
    const { rows: databases } = await sql<{ name: string; file: string }>`PRAGMA database_list`.execute(this.db);
    const file = databases.find((d) => d.name === 'main')?.file;
    // a file's (an in-memory database has no log, and no other connection can reach it)
    if (!file) return { restore: async () => undefined };
    const checkpointer = new WalCheckpointer(file);
    const finish = async () => {
      const report = await checkpointer.stop();
      if (report.failures > 0) this.logger.warn({ ...report }, 'some background checkpoints of the rebuild failed; the final checkpoint copies what they left');
      // the log back into the file and emptied; a reader still in it makes this copy what it can (no error)
      await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(this.db);
    };

    const writer = runnersByDb.get(this.db)?.size === 1 ? await this.openWriterThread(file) : undefined;
    if (writer) {
      this.logger.info({ file }, 'the rebuild writes through a connection of its own in the read-model writer thread');
      this.batchDb = writer.db;
      return {
        restore: async () => {
          this.batchDb = this.db;
          try {
            await writer.close();
          } finally {
            await finish();
          }
        },
      };
    }

    // on this connection, with the same settings meanwhile
    const pragma = async (name: string): Promise<number> => {
      const { rows } = await sql.raw<Record<string, number>>(`PRAGMA ${name}`).execute(this.db);
      return Number(rows[0]?.[name]);
    };
    const autocheckpoint = await pragma('wal_autocheckpoint');
    const cacheSize = await pragma('cache_size');
    await sql`PRAGMA wal_autocheckpoint = 0`.execute(this.db);
    // negative: KiB rather than pages
    await sql.raw(`PRAGMA cache_size = ${-this.rebuildCacheMb * 1024}`).execute(this.db);
    return {
      restore: async () => {
        await sql.raw(`PRAGMA cache_size = ${Number.isFinite(cacheSize) ? cacheSize : -2000}`).execute(this.db);
        await sql.raw(`PRAGMA wal_autocheckpoint = ${Number.isFinite(autocheckpoint) ? autocheckpoint : 1000}`).execute(this.db);
        await finish();
      },
    };
  }

  /** the rebuild's connection in a thread of its own, or undefined (with a warning) when it cannot start */
  private async openWriterThread(file: string): Promise<SqliteWriterThread | undefined> {
    const writer = new SqliteWriterThread(file, { cacheMb: this.rebuildCacheMb, walAutocheckpoint: 0 });
    try {
      await writer.opened();
      return writer;
    } catch (error) {
      await writer.close();
      this.logger.warn({ err: error }, 'the read-model writer thread did not start; the rebuild writes on this thread');
      return undefined;
    }
  }

  /**
   * Where every projection stands. A started runner answers from memory (it
   * is the writer); one that is not reads the checkpoint table, so the CLI
   * can report on the database another process keeps.
   */
  async status(): Promise<ProjectionStatus[]> {
    const head = await this.store.headPosition();
    const at = (position: number) => ({ position, head, lag: Math.max(0, head - position) });
    if (this.tracked) {
      return this.tracked.map((t) => ({
        name: t.projection.name,
        version: t.projection.version,
        ...at(t.position),
        status: t.failure ? 'failing' : 'ok',
        lastError: t.failure?.reason ?? null,
        lastBatchAt: new Date(t.lastBatchAt).toISOString(),
      }));
    }

    await this.checkpoints.migrate();
    const stored = await this.checkpoints.loadAll();
    return this.projections.map(({ name, version }) => {
      const checkpoint = stored.get(name);
      const current = checkpoint !== undefined && checkpoint.version === version && checkpoint.status !== 'rebuilding';
      return {
        name,
        version,
        ...at(checkpoint?.position ?? 0),
        status: current ? (checkpoint.status as 'ok' | 'failing') : 'rebuild-pending',
        lastError: checkpoint?.lastError ?? null,
        lastBatchAt: checkpoint?.updatedAt ?? null,
      };
    });
  }

  // ── the loop ───────────────────────────────────────────────────────────

  private async run(): Promise<void> {
    let consecutiveErrors = 0;
    while (!this.stopRequested) {
      this.wakeRequested = false;
      let delayMs: number;
      try {
        const { more } = await this.exclusive(() => this.catchUp());
        consecutiveErrors = 0;
        delayMs = more ? 0 : this.idleDelayMs();
      } catch (error) {
        // The log or the read-model database failed, not a projection: nothing was committed, try the same again later.
        consecutiveErrors += 1;
        delayMs = this.retryDelayMs(consecutiveErrors);
        this.logger.error({ err: error, retryInMs: delayMs }, 'the projection runner could not read the log or write the read models');
      }
      // A turn of the event loop between batches: a rebuild must not starve HTTP requests and queries.
      if (delayMs === 0) await yieldToIo();
      else await this.sleep(delayMs);
    }
  }

  /**
   * One turn: every projection that is not waiting out a failure advances by
   * at most one batch. Projections at the same checkpoint share one read; a
   * projection ahead of the batch read for the others gets its own.
   *
   * @returns more: a read came back full, so there is probably more to do; read: events read
   */
  private async catchUp(only?: ReadonlySet<Tracked>): Promise<{ more: boolean; read: number }> {
    const now = Date.now();
    let pending = this.loaded().filter((t) => (only === undefined || only.has(t)) && (t.failure === undefined || t.failure.retryAt <= now));
    let more = false;
    let read = 0;
    let limit = this.readSize;
    let first = true;
    while (pending.length > 0 && !this.stopRequested) {
      const from = Math.min(...pending.map((t) => t.position));
      const events = await this.read(from, limit);
      read += events.length;
      const reachedHead = events.length < limit;
      if (!reachedHead) limit = Math.min(limit * 2, this.maxBatchSize);
      // The size of the turn's first read (for the projections furthest behind) carries over to
      // the next turn: a rebuild takes one turn per batch, and its batches grow until the head.
      if (first) this.readSize = reachedHead ? this.batchSize : limit;
      first = false;
      let ahead = pending;
      if (events.length > 0) {
        const last = events[events.length - 1].position;
        ahead = pending.filter((t) => t.position >= last);
        await this.applyBatch(
          pending.filter((t) => t.position < last),
          events,
          last,
          reachedHead,
        );
      }
      if (reachedHead) {
        // at the head with nothing to apply: a deferred rebuild is over, what it held back is written
        await this.finishDeferred(ahead);
        const checkedAt = Date.now();
        for (const t of ahead) t.lastBatchAt = checkedAt;
        break;
      }
      more = true;
      pending = ahead;
    }
    return { more, read };
  }

  /**
   * Up to `limit` events after `from`, read in pages of at most READ_PAGE:
   * what a store builds to answer one read (rows, then events) is then
   * never more than a page, however large the batch.
   */
  private async read(from: number, limit: number): Promise<RecordedEvent[]> {
    if (this.backgroundReader) return this.readInBackground(this.backgroundReader, from, limit);
    if (limit <= READ_PAGE) return this.store.readAll({ fromPosition: from, limit });
    const events: RecordedEvent[] = [];
    let position = from;
    while (events.length < limit) {
      const size = Math.min(READ_PAGE, limit - events.length);
      const page = await this.store.readAll({ fromPosition: position, limit: size });
      for (const event of page) events.push(event);
      if (page.length < size) break;
      position = page[page.length - 1].position;
    }
    return events;
  }

  /**
   * A read through the background reader, which then goes on to read the
   * batch that most likely comes next (after this one, twice as large up to
   * `maxBatchSize`, as catchUp asks while behind) while the caller applies
   * this one: on two cores, reading the log costs a rebuild little time.
   *
   * What was read ahead is used only for exactly that read and only when it
   * came back full: the log only grows at its end (an event committed later
   * has a higher position), so a full read of the `limit` events after
   * `from` is the same whenever it is made; one that reached the head of the
   * log then may not be, and is made again. At most one batch is read ahead.
   */
  private async readInBackground(reader: BackgroundLogReader, from: number, limit: number): Promise<RecordedEvent[]> {
    const ahead = this.readAhead;
    this.readAhead = undefined;
    let events: RecordedEvent[] | undefined;
    if (ahead && ahead.from === from && ahead.limit === limit) {
      events = await ahead.events.catch(() => undefined);
      if (events && events.length < limit) events = undefined;
    }
    if (!events) {
      try {
        events = await reader.readAll({ fromPosition: from, limit });
      } catch (error) {
        // the reader's thread died (out of memory on huge events?): this rebuild reads on this thread from now on
        this.logger.warn({ err: error }, 'the background reader of the event log failed; reading on this thread');
        if (this.backgroundReader === reader) this.backgroundReader = undefined;
        return this.read(from, limit);
      }
    }
    if (events.length === limit && events.length > 0) {
      const next = { from: events[events.length - 1].position, limit: Math.min(limit * 2, this.maxBatchSize) };
      const read = reader.readAll({ fromPosition: next.from, limit: next.limit });
      read.catch(() => undefined); // a failed read ahead is made again when it is wanted
      this.readAhead = { ...next, events: read };
    }
    return events;
  }

  /**
   * Applies a batch to a group of projections in one transaction with their
   * checkpoints, moving them to `last`. When one throws, the transaction is
   * rolled back (on PostgreSQL a failed statement spoils it anyway) and
   * redone without it. `atHead`: nothing follows the batch in the log, so a
   * deferred rebuild ends with it.
   */
  private async applyBatch(group: readonly Tracked[], events: readonly RecordedEvent[], last: number, atHead: boolean): Promise<void> {
    let members = group;
    while (members.length > 0) {
      try {
        await this.batchDb.transaction().execute(async (trx) => {
          // Checkpoints first: a conflict with another runner shows before any work is done.
          for (const { projection, position, deferred } of members) {
            await this.checkpoints.advance(trx, projection.name, projection.version, position, last, { from: deferred, to: deferred && !atHead });
          }
          for (const member of members) {
            const context = { checkpoint: member.position, session: this, deferred: member.deferred && !atHead };
            try {
              await member.projection.apply(trx, eventsAfter(events, member.position), context);
            } catch (error) {
              throw new ApplyFailure(member, error);
            }
          }
        });
      } catch (error) {
        if (error instanceof ApplyFailure) {
          // what a deferred rebuild held back in memory is no longer what the database lacks: it starts again
          if (error.tracked.deferred) {
            const failure = error.tracked.failure;
            await this.resetToZero([error.tracked]);
            error.tracked.failure = failure;
          }
          await this.markFailing(error.tracked, error.error, last);
          members = members.filter((member) => member !== error.tracked);
          continue;
        }
        if (error instanceof CheckpointConflictError) {
          await this.reloadCheckpoints(error);
          break;
        }
        // the commit failed: what a deferred rebuild held back may be gone with it
        const deferred = members.filter((member) => member.deferred);
        if (deferred.length > 0) await this.resetToZero(deferred).catch(() => undefined);
        throw error;
      }

      const committedAt = Date.now();
      for (const member of members) {
        if (member.failure) this.logger.info({ projection: member.projection.name, position: last }, `projection ${member.projection.name} recovered`);
        if (member.deferred && atHead) this.logger.info({ projection: member.projection.name, position: last }, `projection ${member.projection.name} rebuilt up to the head of the log`);
        member.position = last;
        member.failure = undefined;
        member.lastBatchAt = committedAt;
        if (atHead) member.deferred = false;
      }
      break;
    }
    // Also when a projection just failed: it no longer holds back those waiting.
    this.settleWaiters();
  }

  /**
   * Ends the deferred rebuilds among `candidates` that are not failing: each
   * projection writes what it held back, at its checkpoint, in a batch
   * without events.
   */
  private async finishDeferred(candidates: readonly Tracked[]): Promise<void> {
    for (const t of candidates) {
      if (t.deferred && t.failure === undefined) await this.applyBatch([t], [], t.position, true);
    }
  }

  private async markFailing(tracked: Tracked, error: unknown, batchEnd: number, persist = true): Promise<void> {
    const { name } = tracked.projection;
    const attempts = (tracked.failure?.attempts ?? 0) + 1;
    const retryInMs = this.retryDelayMs(attempts);
    const reason = describeError(error);
    tracked.failure = { reason, attempts, retryAt: Date.now() + retryInMs };
    this.logger.error(
      { err: error, projection: name, fromPosition: tracked.position + 1, toPosition: batchEnd, attempts, retryInMs },
      `projection ${name} failed on the events after position ${tracked.position}; it is retried in ${retryInMs} ms, the others go on`,
    );
    if (!persist) return;
    try {
      // Outside the rolled-back transaction, so that the failure is on record for the CLI and other processes.
      await this.checkpoints.markFailing(name, reason);
    } catch (persistError) {
      this.logger.error({ err: persistError, projection: name }, `could not record the failure of projection ${name}`);
    }
  }

  /** Another runner moved a checkpoint: take the stored positions as they are. */
  private async reloadCheckpoints(conflict: CheckpointConflictError): Promise<void> {
    this.logger.warn({ projection: conflict.projection }, `${conflict.message}; reloading the checkpoints`);
    const stored = await this.checkpoints.loadAll();
    for (const tracked of this.loaded()) {
      const checkpoint = stored.get(tracked.projection.name);
      if (checkpoint?.version === tracked.projection.version && checkpoint.status !== 'rebuilding') {
        tracked.position = checkpoint.position;
        tracked.deferred = false;
        continue;
      }
      if (checkpoint?.version === tracked.projection.version) {
        // a rebuild in progress: this runner's own, untouched, or another runner's, which only that one may move
        if (tracked.deferred && tracked.position === checkpoint.position) continue;
        tracked.position = checkpoint.position;
        tracked.deferred = false;
        await this.markFailing(tracked, new Error('another runner is rebuilding it'), tracked.position, false);
        continue;
      }
      // Rebuilding here would fight the other runner for ever; a restart or rebuild() takes the projection over.
      const found = checkpoint ? `version ${checkpoint.version}, written by other code` : 'missing';
      await this.markFailing(tracked, new Error(`its checkpoint is ${found} (this code is version ${tracked.projection.version})`), tracked.position);
    }
  }

  // ── preparation and resets ────────────────────────────────────────────

  private prepare(): Promise<Tracked[]> {
    this.preparing ??= this.exclusive(() => this.migrateAndLoad()).catch((error: unknown) => {
      this.preparing = undefined;
      throw error;
    });
    return this.preparing;
  }

  private async migrateAndLoad(): Promise<Tracked[]> {
    await this.checkpoints.migrate();
    for (const projection of this.projections) await projection.migrate(this.db);
    const stored = await this.checkpoints.loadAll();

    const now = Date.now();
    // a checkpoint of another version, or of a rebuild that did not reach the head, says nothing of the read model
    const isCurrent = (projection: Projection) => {
      const checkpoint = stored.get(projection.name);
      return checkpoint?.version === projection.version && checkpoint.status !== 'rebuilding';
    };
    const tracked = this.projections.map((projection): Tracked => {
      const checkpoint = stored.get(projection.name);
      const current = isCurrent(projection);
      return {
        projection,
        position: current ? checkpoint!.position : 0,
        // A failure survives a restart, but is retried at once: a restart often comes with the fix.
        failure: current && checkpoint!.status === 'failing' ? { reason: checkpoint!.lastError ?? 'unknown', attempts: 0, retryAt: now } : undefined,
        lastBatchAt: now,
        deferred: false,
      };
    });

    const stale = tracked.filter((t) => !isCurrent(t.projection));
    for (const { projection } of stale) {
      const previous = stored.get(projection.name);
      this.logger.info(
        { projection: projection.name, version: projection.version, storedVersion: previous?.version },
        !previous
          ? `projection ${projection.name} is new: building it from position 0`
          : previous.version !== projection.version
            ? `projection ${projection.name} changed from version ${previous.version} to ${projection.version}: rebuilding it from position 0`
            : `projection ${projection.name} was being rebuilt (position ${previous.position}) when its runner stopped: rebuilding it from position 0`,
      );
    }
    await this.resetToZero(stale);

    this.tracked = tracked;
    this.settleWaiters();
    return tracked;
  }

  /**
   * Empties the projections and puts their checkpoints at 0, in one
   * transaction: a crash leaves them old or reset, never half. Those that
   * defer while rebuilding start their rebuild (checkpoint `rebuilding`).
   */
  private async resetToZero(targets: readonly Tracked[]): Promise<void> {
    if (targets.length === 0) return;
    const defers = (projection: Projection) => projection.defersWhileRebuilding === true;
    await this.batchDb.transaction().execute(async (trx) => {
      for (const { projection } of targets) {
        await projection.reset(trx);
        await this.checkpoints.put(trx, projection.name, projection.version, 0, defers(projection) ? 'rebuilding' : 'ok');
      }
    });
    for (const target of targets) {
      target.position = 0;
      target.failure = undefined;
      target.deferred = defers(target.projection);
    }
  }

  // ── stopping, sleeping, waiting ───────────────────────────────────────

  private async shutDown(): Promise<void> {
    this.stopRequested = true;
    this.wake();
    await this.loop;
    await this.queue; // a rebuild's batch in flight
    runnersByDb.get(this.db)?.delete(this);
    if (this.tracked?.some((t) => t.deferred)) {
      // what a deferred rebuild holds back is written, so that the next start goes on from here rather than from 0
      await this.exclusive(() => this.finishDeferred(this.loaded())).catch((error: unknown) =>
        this.logger.error({ err: error }, 'could not write what a rebuild held back; it starts again from position 0 next time'),
      );
    }
    if (this.appendWakeTimer) clearTimeout(this.appendWakeTimer);
    await this.notifier?.close();
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new ProjectionRunnerStoppedError());
    }
    this.waiters.clear();
    if (this.loop) this.logger.info({}, 'projection runner stopped');
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private wake(): void {
    this.wakeRequested = true;
    this.endSleep?.();
  }

  private appendWakeTimer: NodeJS.Timeout | undefined;

  /**
   * An append in this process: with nobody waiting for it, wake a little later,
   * so that the commits of a busy moment are projected in one transaction
   * instead of one each (the command path then pays far less for the read
   * side); a query waiting to read its own writes wakes the runner at once.
   */
  private onAppend(): void {
    if (this.waiters.size > 0) return this.wake();
    if (this.appendWakeTimer) return;
    this.appendWakeTimer = setTimeout(() => {
      this.appendWakeTimer = undefined;
      this.wake();
    }, APPEND_COALESCE_MS);
    this.appendWakeTimer.unref();
  }

  private sleep(ms: number): Promise<void> {
    if (this.wakeRequested || this.stopRequested) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.endSleep?.(), ms);
      this.endSleep = () => {
        clearTimeout(timer);
        this.endSleep = undefined;
        resolve();
      };
    });
  }

  /** The poll interval, or less when a failing projection is due for its retry sooner. */
  private idleDelayMs(): number {
    const now = Date.now();
    let delay = this.pollIntervalMs;
    for (const { failure } of this.loaded()) if (failure) delay = Math.min(delay, Math.max(0, failure.retryAt - now));
    return delay;
  }

  private retryDelayMs(attempt: number): number {
    return Math.min(this.retryInitialMs * 2 ** Math.min(attempt - 1, 30), this.retryMaxMs);
  }

  private hasReached(position: number): boolean {
    return position <= 0 || this.reachedPosition() >= position;
  }

  private namesBehind(position: number): string[] {
    if (!this.tracked) return this.projections.map((p) => p.name);
    return this.tracked.filter((t) => t.failure === undefined && reachedBy(t) < position).map((t) => t.projection.name);
  }

  private settleWaiters(): void {
    this.onProgress?.(this.reachedPosition());
    for (const waiter of this.waiters) {
      if (!this.hasReached(waiter.position)) continue;
      clearTimeout(waiter.timer);
      this.waiters.delete(waiter);
      waiter.resolve();
    }
  }

  private loaded(): Tracked[] {
    if (!this.tracked) throw new Error('the projection runner is not prepared');
    return this.tracked;
  }
}

/** What a projection has reached for those waiting: nothing while a deferred rebuild may hold back what it applied. */
function reachedBy(t: Tracked): number {
  return t.deferred ? 0 : t.position;
}

/** The events of a batch after a checkpoint (the batch is in position order). */
function eventsAfter(events: readonly RecordedEvent[], position: number): readonly RecordedEvent[] {
  if (events.length === 0 || events[0].position > position) return events;
  let low = 0;
  let high = events.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (events[middle].position > position) high = middle;
    else low = middle + 1;
  }
  return events.slice(low);
}

function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text;
}

function positiveInteger(what: string, value: number): number {
  if (!(Number.isSafeInteger(value) && value > 0)) throw new RangeError(`${what} must be a positive integer, not ${value}`);
  return value;
}

/** A promise with its resolve function at hand. */
function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
