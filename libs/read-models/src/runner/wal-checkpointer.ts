import { Worker } from 'node:worker_threads';

/**
 * The worker's code (no module of this project: only better-sqlite3, whose
 * path it is given). Its own connection to the read-model file runs a
 * PASSIVE checkpoint every `intervalMs`: it copies into the database file
 * what the writer has committed to the log since, without taking the write
 * lock or waiting for anyone (a page a reader still needs stays in the log
 * for a later round). Once everything is copied and no reader is in the log,
 * the writer's next transaction starts the log from its beginning again.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.filename, { fileMustExist: true });
db.pragma('busy_timeout = 0');
let rounds = 0;
let failures = 0;
let lastError;
const tick = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    rounds++;
  } catch (error) {
    // SQLITE_BUSY (another checkpoint is running) or the like: the next round tries again
    failures++;
    lastError = String((error && error.message) || error);
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(tick);
  db.close();
  parentPort.postMessage({ rounds, failures, lastError });
  parentPort.close();
});
`;

export interface WalCheckpointerReport {
  /** checkpoints that ran */
  rounds: number;
  /** rounds that failed (busy); the final checkpoint of the writer copies what they left */
  failures: number;
  lastError?: string;
}

/**
 * Checkpoints a SQLite file in WAL mode from another thread while one writer
 * writes a lot (a rebuild, whose own connection has automatic checkpoints
 * off): the copying of the log into the file, and its syncs, happen on the
 * other core meanwhile instead of all at the end on the writer's thread, and
 * the log stays small. A page the writer changes again after it was copied is
 * copied again: hence rounds seconds apart, not at every commit.
 */
export class WalCheckpointer {
  private readonly worker: Worker;
  private stopping: Promise<WalCheckpointerReport> | undefined;
  /** the thread failed (could not open the file?): the writer's final checkpoint does its work */
  private failure: unknown;
  private report: WalCheckpointerReport | undefined;
  private readonly exited: Promise<void>;

  constructor(filename: string, intervalMs = 2_000) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      name: 'read-model-checkpointer',
      workerData: { filename, driver: require.resolve('better-sqlite3'), intervalMs },
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
    });
    this.worker.unref();
    this.worker.on('error', (error) => (this.failure ??= error));
    this.worker.on('message', (message: WalCheckpointerReport) => (this.report = message));
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
  }

  /** Stops after the round in progress; resolves with what it did. Idempotent. */
  stop(): Promise<WalCheckpointerReport> {
    this.stopping ??= (async () => {
      // held while it stops: waiting for an unref'd thread would not keep this process alive
      this.worker.ref();
      this.worker.postMessage('stop');
      await this.exited;
      return this.report ?? { rounds: 0, failures: 1, lastError: this.failure === undefined ? 'the checkpointer thread stopped without a report' : describe(this.failure) };
    })();
    return this.stopping;
  }
}

/** an error from the thread: a SqliteError arrives as a plain object with its code only */
function describe(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? `the checkpointer thread failed: ${code}` : `the checkpointer thread failed: ${String(error)}`;
}
