import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { SqliteEventStore } from '@complaints/event-store';
import { ProjectionHost, ProjectionRunnerStoppedError, ProjectionStatus, WaitForPositionTimeoutError } from '@complaints/read-models';
import { FromProjectionWorker, ProjectionWorkerData, reviveError, ToProjectionWorker } from './projection-worker.protocol';

export interface WorkerProjectionHostOptions {
  /** the main thread's store: the host hears of its commits and tells the worker */
  store: SqliteEventStore;
  data: ProjectionWorkerData;
  logger: Logger;
  /** how long waitForPosition waits by default; 5000 ms */
  waitTimeoutMs?: number;
  /** after a crash the worker is started again after this delay, doubling up to 30 s; default 1000 ms */
  restartDelayMs?: number;
}

interface Waiter {
  position: number;
  resolve: () => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout;
}

const STOP_TIMEOUT_MS = 30_000;
/** at most one `appended` message to the worker in this time (the runner gathers appends for 25 ms) */
const APPENDED_EVERY_MS = 5;
const STATUS_TIMEOUT_MS = 5_000;
const MAX_RESTART_DELAY_MS = 30_000;
const WORKER_YOUNG_GENERATION_MB = 8;

/**
 * Runs the projections in a worker thread (projection.worker.ts) and gives
 * the rest of the application the same {@link ProjectionHost} as an
 * in-thread ProjectionRunner.
 *
 * Why a thread: better-sqlite3 is synchronous, so projecting in the main
 * thread takes its time from every request; in the worker it runs on the
 * other core. The worker reads the log through its own connection to the
 * event-store file (WAL: readers never block the writer) and is the only
 * writer of the read-model file; the main thread queries that file through
 * its own connection.
 *
 * The main thread tells the worker after each commit (no event crosses the
 * thread boundary, only a position), and the worker answers with how far
 * every projection has got, so waitForPosition resolves here without a round
 * trip per query.
 *
 * A worker that dies (an uncaught error, out of memory) is logged and started
 * again with a growing delay; while it is down, status() reports it failing
 * and queries answer with what the read models hold.
 */
export class WorkerProjectionHost implements ProjectionHost {
  private worker: Worker | undefined;
  private reached = 0;
  private readonly waiters = new Set<Waiter>();
  private readonly statusRequests = new Map<number, { resolve: (statuses: ProjectionStatus[]) => void; reject: (error: unknown) => void }>();
  private nextRequestId = 1;
  private lastStatuses: ProjectionStatus[] = [];
  private crash: { reason: string; at: string } | undefined;
  private restartDelayMs: number;
  private restartTimer: NodeJS.Timeout | undefined;
  private stopRequested = false;
  private stopping: Promise<void> | undefined;
  private removeCommitListener: (() => void) | undefined;
  private readonly startedSignal: { promise: Promise<void>; resolve: () => void };
  private readonly waitTimeoutMs: number;

  constructor(private readonly options: WorkerProjectionHostOptions) {
    this.restartDelayMs = options.restartDelayMs ?? 1000;
    this.waitTimeoutMs = options.waitTimeoutMs ?? 5000;
    let resolveStarted!: () => void;
    this.startedSignal = { promise: new Promise<void>((r) => (resolveStarted = r)), resolve: resolveStarted };
  }

  /** Starts the worker and resolves once its runner has started (migrations done, stale projections reset). */
  async start(): Promise<void> {
    if (this.worker) throw new Error('the projection worker is already started');
    await this.spawn();
    this.removeCommitListener = this.options.store.onCommitted((position) => this.appended(position));
    this.startedSignal.resolve();
  }

  started(): Promise<void> {
    return this.startedSignal.promise;
  }

  stop(): Promise<void> {
    this.stopping ??= this.shutDown();
    return this.stopping;
  }

  waitForPosition(position: number, timeoutMs: number = this.waitTimeoutMs): Promise<void> {
    if (position <= this.reached) return Promise.resolve();
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
      this.send({ type: 'wait', position });
    });
  }

  async status(): Promise<ProjectionStatus[]> {
    const worker = this.worker;
    if (!worker || this.crash) return this.statusWhileDown();
    const id = this.nextRequestId++;
    try {
      const statuses = await new Promise<ProjectionStatus[]>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.statusRequests.delete(id);
          reject(new Error(`the projection worker did not report its status within ${STATUS_TIMEOUT_MS} ms`));
        }, STATUS_TIMEOUT_MS);
        this.statusRequests.set(id, {
          resolve: (value) => {
            clearTimeout(timer);
            resolve(value);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
        worker.postMessage({ type: 'status', id } satisfies ToProjectionWorker);
      });
      this.lastStatuses = statuses;
      return statuses;
    } catch (error) {
      return this.statusWhileDown(error instanceof Error ? error.message : String(error));
    }
  }

  // ── the worker ─────────────────────────────────────────────────────────

  private spawn(): Promise<void> {
    const { entry, registerPaths } = workerFiles();
    // The worker runs the compiled code; register-paths resolves the @complaints/* aliases against dist/.
    const bootstrap = `require(${JSON.stringify(registerPaths)}); require(${JSON.stringify(entry)});`;
    // A small young generation: the worker allocates a batch's rows and drops them, and V8 would otherwise let
    // each isolate's nursery grow to tens of MB; measured by bench (e), it costs nothing noticeable in throughput.
    const worker = new Worker(bootstrap, { eval: true, workerData: this.options.data, name: 'projections', resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
    this.worker = worker;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      worker.on('message', (message: FromProjectionWorker) => {
        if (message.type === 'started') {
          settled = true;
          this.crash = undefined;
          this.restartDelayMs = this.options.restartDelayMs ?? 1000;
          this.progress(message.reached);
          resolve();
        } else if (message.type === 'start-failed') {
          settled = true;
          reject(reviveError(message.error));
        } else {
          this.onMessage(message);
        }
      });
      worker.on('error', (error) => {
        this.options.logger.error({ err: error }, 'the projection worker failed');
        if (!settled) {
          settled = true;
          reject(error);
        }
      });
      worker.on('exit', (code) => {
        if (this.worker === worker) this.worker = undefined;
        if (!settled) {
          settled = true;
          reject(new Error(`the projection worker exited with code ${code} before it started`));
          return;
        }
        if (!this.stopRequested) this.onCrash(`the projection worker exited with code ${code}`);
      });
    });
  }

  private onMessage(message: FromProjectionWorker): void {
    switch (message.type) {
      case 'progress':
        this.progress(message.reached);
        break;
      case 'status':
        this.statusRequests.get(message.id)?.resolve(message.statuses);
        this.statusRequests.delete(message.id);
        break;
      case 'status-failed':
        this.statusRequests.get(message.id)?.reject(reviveError(message.error));
        this.statusRequests.delete(message.id);
        break;
      case 'log':
        this.options.logger[message.level](message.fields, message.message);
        break;
      default:
        break;
    }
  }

  private progress(reached: number): void {
    this.reached = reached;
    for (const waiter of this.waiters) {
      if (waiter.position > reached) continue;
      clearTimeout(waiter.timer);
      this.waiters.delete(waiter);
      waiter.resolve();
    }
  }

  private onCrash(reason: string): void {
    this.crash = { reason, at: new Date().toISOString() };
    for (const request of this.statusRequests.values()) request.reject(new Error(reason));
    this.statusRequests.clear();
    const delay = this.restartDelayMs;
    this.restartDelayMs = Math.min(delay * 2, MAX_RESTART_DELAY_MS);
    this.options.logger.error({ restartInMs: delay }, `${reason}; starting it again`);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopRequested) return;
      this.spawn().catch((error: unknown) => {
        if (this.stopRequested) return;
        this.onCrash(`the projection worker could not start again: ${error instanceof Error ? error.message : String(error)}`);
      });
    }, delay);
  }

  private appendedTimer: NodeJS.Timeout | undefined;
  private appendedPending = 0;

  /**
   * Tells the worker of a commit at once, and of the commits that follow in
   * the next APPENDED_EVERY_MS in one message after them: the worker lets
   * appends gather for longer than that before it projects them anyway, and a
   * query that must read its own write sends its own `wait`. One message a
   * commit cost the command path a few percent at one command in flight.
   */
  private appended(position: number): void {
    if (this.appendedTimer) {
      this.appendedPending = position;
      return;
    }
    this.send({ type: 'appended', position });
    this.appendedTimer = setTimeout(() => {
      this.appendedTimer = undefined;
      const pending = this.appendedPending;
      this.appendedPending = 0;
      if (pending > 0) this.appended(pending);
    }, APPENDED_EVERY_MS);
    this.appendedTimer.unref();
  }

  private send(message: ToProjectionWorker): void {
    this.worker?.postMessage(message);
  }

  private async shutDown(): Promise<void> {
    this.stopRequested = true;
    this.removeCommitListener?.();
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.appendedTimer) clearTimeout(this.appendedTimer);
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new ProjectionRunnerStoppedError());
    }
    this.waiters.clear();
    const worker = this.worker;
    if (!worker) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.options.logger.warn({}, `the projection worker did not stop within ${STOP_TIMEOUT_MS} ms; terminating it`);
        void worker.terminate();
      }, STOP_TIMEOUT_MS);
      worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      worker.postMessage({ type: 'stop' } satisfies ToProjectionWorker);
    });
  }

  private statusWhileDown(reason?: string): ProjectionStatus[] {
    const why = reason ?? this.crash?.reason ?? 'the projection worker is not running';
    if (this.lastStatuses.length === 0) {
      return [{ name: 'projection-worker', version: 1, position: this.reached, head: this.reached, lag: 0, status: 'failing', lastError: why, lastBatchAt: null }];
    }
    return this.lastStatuses.map((status) => ({ ...status, status: 'failing', lastError: why }));
  }

  private namesBehind(position: number): string[] {
    return this.lastStatuses.filter((s) => s.status !== 'failing' && s.position < position).map((s) => s.name);
  }
}

/**
 * The compiled worker and the alias hook it needs. When this file runs
 * compiled, the worker is its sibling in dist/; when it runs from the
 * TypeScript sources (jest), it is the same path under dist/, which
 * `npm test` builds first.
 */
export function workerFiles(): { entry: string; registerPaths: string } {
  const root = projectRoot(__dirname);
  const compiledDir = __filename.endsWith('.js') ? __dirname : join(root, 'dist', relative(root, __dirname));
  const entry = join(compiledDir, 'projection.worker.js');
  if (!existsSync(entry)) {
    throw new Error(`the projection worker is not built (${entry} is missing): run \`npm run build\`, or set PROJECTIONS_WORKER=0`);
  }
  return { entry, registerPaths: join(root, 'tools', 'register-paths.js') };
}

function projectRoot(from: string): string {
  let dir = resolve(from);
  while (!existsSync(join(dir, 'package.json')) || dir.endsWith(`${'/'}dist`)) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}
