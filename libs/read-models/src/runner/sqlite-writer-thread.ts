// A Kysely database over its own connection: the schema is the projections' own, unknown here.
/* eslint-disable @typescript-eslint/no-explicit-any */
import { Worker } from 'node:worker_threads';
import {
  CompiledQuery,
  DatabaseConnection,
  DatabaseIntrospector,
  Dialect,
  DialectAdapter,
  Driver,
  Kysely,
  QueryCompiler,
  QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';

/**
 * The worker's code (no module of this project: only better-sqlite3, whose
 * path it is given). It runs the statements it receives one after the other,
 * in the order they were sent, on its own connection to the file.
 *
 * - `run`: a statement nobody waits for. If it fails, the statements after it
 *   are skipped until the transaction ends; the failure is the answer to the
 *   next `query` (a commit rolls back and answers with it).
 * - `query`: answered with its rows (or its counts), or with the failure.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
let failure;
const statements = new Map();
function prepare(sql) {
  let statement = statements.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    if (statements.size >= 256) statements.delete(statements.keys().next().value);
    statements.set(sql, statement);
  }
  return statement;
}
function errorOf(error) {
  return { name: (error && error.name) || 'Error', message: String((error && error.message) || error), code: error && error.code, stack: error && error.stack };
}
function execute(message) {
  const statement = prepare(message.sql);
  const parameters = message.json !== undefined ? JSON.parse(message.json) : message.parameters;
  if (statement.reader) return { reader: true, rows: statement.all(parameters) };
  const { changes, lastInsertRowid } = statement.run(parameters);
  return { reader: false, changes, lastInsertRowid: Number(lastInsertRowid) };
}
const ENDS_TRANSACTION = /^\\s*(commit|end|rollback)\\b/i;
const ROLLBACK = /^\\s*rollback\\b/i;
try {
  db = new Database(workerData.filename, { fileMustExist: true });
  db.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
  db.pragma('synchronous = NORMAL');
  if (workerData.cacheMb !== undefined) db.pragma('cache_size = ' + -workerData.cacheMb * 1024);
  if (workerData.walAutocheckpoint !== undefined) db.pragma('wal_autocheckpoint = ' + workerData.walAutocheckpoint);
  parentPort.postMessage({ type: 'ready' });
} catch (error) {
  parentPort.postMessage({ type: 'ready', error: errorOf(error) });
}
parentPort.on('message', (message) => {
  if (message.type === 'close') {
    if (db) {
      if (db.inTransaction) db.exec('ROLLBACK');
      db.close();
    }
    parentPort.postMessage({ type: 'closed' });
    parentPort.close();
    return;
  }
  if (message.type === 'run') {
    if (failure) return;
    try {
      execute(message);
    } catch (error) {
      failure = errorOf(error);
    }
    return;
  }
  // query
  if (failure) {
    const failed = failure;
    if (ENDS_TRANSACTION.test(message.sql) || !db.inTransaction) {
      failure = undefined;
      if (db.inTransaction) db.exec('ROLLBACK');
      if (ROLLBACK.test(message.sql)) {
        parentPort.postMessage({ type: 'result', id: message.id, result: { reader: false, changes: 0, lastInsertRowid: 0 } });
        return;
      }
    }
    parentPort.postMessage({ type: 'result', id: message.id, error: failed });
    return;
  }
  if (ROLLBACK.test(message.sql) && !db.inTransaction) {
    parentPort.postMessage({ type: 'result', id: message.id, result: { reader: false, changes: 0, lastInsertRowid: 0 } });
    return;
  }
  try {
    parentPort.postMessage({ type: 'result', id: message.id, result: execute(message) });
  } catch (error) {
    parentPort.postMessage({ type: 'result', id: message.id, error: errorOf(error) });
  }
});
`;

export interface SqliteWriterThreadOptions {
  /** the connection's page cache, MiB; SQLite's default (2 MiB) when not given */
  cacheMb?: number;
  /** PRAGMA wal_autocheckpoint of the connection (0: none); SQLite's default (1000 pages) when not given */
  walAutocheckpoint?: number;
  /** how long a statement waits for another connection's write lock; default 5000 ms */
  busyTimeoutMs?: number;
}

interface SerializedError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
}

type WorkerResult = { reader: true; rows: unknown[] } | { reader: false; changes: number; lastInsertRowid: number };

type WorkerMessage =
  | { type: 'ready'; error?: SerializedError }
  | { type: 'result'; id: number; result?: WorkerResult; error?: SerializedError }
  | { type: 'closed' };

/** parameters sent as one JSON text when there are at least this many and all are short text or numbers */
const JSON_PARAMETERS_FROM = 32;
/** a longer text (a folded state) is copied as it is rather than escaped into JSON and parsed back */
const JSON_TEXT_LIMIT = 256;
/**
 * how much may be sent on and not yet executed (roughly, in bytes): beyond,
 * the next statement waits for the thread to catch up, so that a burst of
 * writes (the end of a rebuild) does not pile up in memory
 */
const MAX_IN_FLIGHT_BYTES = 16 * 1024 * 1024;
/** statements whose SQL text is remembered as returning rows or not */
const KINDS_KEPT = 512;

/**
 * A Kysely database whose one connection to a SQLite file lives in a worker
 * thread, for a writer with CPU work of its own (the projection runner
 * rebuilding): a statement that only changes rows is sent to the thread and
 * its promise resolves at once, so the caller goes on working while the
 * other core executes it; a statement that returns rows (a SELECT, a
 * RETURNING clause) and a COMMIT wait for every statement sent before them.
 *
 * A statement that was sent on and fails makes the rest of its transaction
 * fail: the statements after it are skipped, and the COMMIT (or the next
 * statement that waits) rejects with its error after rolling back. So
 * nothing is lost and nothing half-written commits; only the error shows a
 * little later than where it happened.
 *
 * A statement sent on reports no numbers: `numAffectedRows` and `insertId`
 * are undefined. A caller that needs to know what a change did asks with
 * RETURNING, which makes it wait. The first use of each SQL text also waits
 * (the thread then says whether the statement returns rows).
 */
export class SqliteWriterThread {
  readonly db: Kysely<any>;
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (result: WorkerResult) => void; reject: (error: Error) => void }>();
  /** SQL text → whether it returns rows (as the thread's prepared statement says) */
  private readonly readers = new Map<string, boolean>();
  private nextId = 1;
  /** roughly how many bytes of statements were sent on since the thread last answered */
  private inFlight = 0;
  private failure: Error | undefined;
  private readonly ready: Promise<void>;
  private readonly exited: Promise<void>;
  private closing: Promise<void> | undefined;

  constructor(filename: string, options: SqliteWriterThreadOptions = {}) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      name: 'read-model-writer',
      workerData: {
        filename,
        driver: require.resolve('better-sqlite3'),
        cacheMb: options.cacheMb,
        walAutocheckpoint: options.walAutocheckpoint,
        busyTimeoutMs: options.busyTimeoutMs ?? 5000,
      },
      // statements a batch at a time: their values, and the rows of a query
      resourceLimits: { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 16 },
    });
    this.worker.unref();
    let ready!: { resolve: () => void; reject: (error: Error) => void };
    this.ready = new Promise((resolve, reject) => (ready = { resolve, reject }));
    this.ready.catch(() => undefined);
    this.worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'ready') {
        if (message.error) {
          const error = toError(message.error, `could not open ${filename} in the read-model writer thread`);
          this.fail(error);
          ready.reject(error);
        } else ready.resolve();
        return;
      }
      if (message.type !== 'result') return;
      const request = this.pending.get(message.id);
      if (!request) return;
      this.pending.delete(message.id);
      if (this.pending.size === 0) this.worker.unref();
      if (message.error) request.reject(toError(message.error));
      else request.resolve(message.result!);
    });
    this.worker.on('error', (error) => {
      this.fail(error);
      ready.reject(error);
    });
    this.exited = new Promise((resolve) =>
      this.worker.once('exit', (code) => {
        const error = new Error(`the read-model writer thread stopped (exit code ${code})`);
        this.fail(error);
        ready.reject(error);
        resolve();
      }),
    );
    this.db = new Kysely<any>({ dialect: new WriterThreadDialect(this) });
  }

  /** Resolves once the thread has opened the file; rejects with why it could not. */
  opened(): Promise<void> {
    return this.ready;
  }

  /**
   * Runs a statement in the thread: one that only changes rows is sent on and
   * resolves at once (without counts), any other waits for its result.
   */
  async execute(sql: string, parameters: readonly unknown[]): Promise<QueryResult<unknown>> {
    await this.ready;
    if (this.failure) throw this.failure;
    const reader = this.readers.get(sql);
    const message = encode(parameters);
    if (reader === false && !ENDS_TRANSACTION.test(sql) && this.inFlight < MAX_IN_FLIGHT_BYTES) {
      this.inFlight += message.bytes;
      this.worker.postMessage({ type: 'run', sql, ...message.values });
      return { rows: [] };
    }
    const result = await this.request(sql, message.values);
    if (this.readers.size >= KINDS_KEPT) this.readers.clear();
    this.readers.set(sql, result.reader);
    if (result.reader) return { rows: result.rows };
    return { rows: [], numAffectedRows: BigInt(result.changes), insertId: BigInt(result.lastInsertRowid) };
  }

  /** Waits for what was sent, rolls back a transaction left open, closes the connection and ends the thread. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.worker.ref();
      this.worker.postMessage({ type: 'close' });
      await this.exited;
    })();
    return this.closing;
  }

  private request(sql: string, values: EncodedValues): Promise<WorkerResult> {
    return new Promise<WorkerResult>((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      // a statement in flight keeps the process alive, an idle thread does not
      this.worker.ref();
      this.worker.postMessage({ type: 'query', id, sql, ...values });
    }).finally(() => {
      // answered after everything sent before it
      this.inFlight = 0;
    });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const request of this.pending.values()) request.reject(this.failure);
    this.pending.clear();
  }
}

const ENDS_TRANSACTION = /^\s*(commit|end|rollback)\b/i;

/**
 * The parameters as they cross to the thread. Structured cloning costs some
 * 100 ns a value, JSON a third of that for the short text and numbers of a
 * multi-row INSERT; long text (a state's JSON) is copied faster as it is.
 * Only what JSON gives back unchanged goes that way: finite numbers, text, null.
 */
function encode(parameters: readonly unknown[]): { values: EncodedValues; bytes: number } {
  let bytes = 0;
  let json = parameters.length >= JSON_PARAMETERS_FROM;
  for (const value of parameters) {
    if (typeof value === 'string') {
      bytes += 2 * value.length;
      if (value.length > JSON_TEXT_LIMIT) json = false;
    } else {
      bytes += 8;
      if (value !== null && !(typeof value === 'number' && Number.isFinite(value))) json = false;
    }
  }
  return { values: json ? { json: JSON.stringify(parameters) } : { parameters }, bytes };
}

type EncodedValues = { json: string } | { parameters: readonly unknown[] };

function toError(serialized: SerializedError, context?: string): Error {
  const error = new Error(context ? `${context}: ${serialized.message}` : serialized.message) as Error & { code?: string };
  error.name = serialized.name;
  if (serialized.code !== undefined) error.code = serialized.code;
  if (serialized.stack) error.stack = `${error.name}: ${error.message}\n    (in the read-model writer thread)\n${serialized.stack.split('\n').slice(1).join('\n')}`;
  return error;
}

class WriterThreadDialect implements Dialect {
  constructor(private readonly thread: SqliteWriterThread) {}
  createAdapter(): DialectAdapter {
    return new SqliteAdapter();
  }
  createDriver(): Driver {
    return new WriterThreadDriver(this.thread);
  }
  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}

/** One connection, as SQLite has: a transaction at a time, the next one waits for it (as Kysely's SqliteDriver). */
class WriterThreadDriver implements Driver {
  private readonly connection: DatabaseConnection;
  private held: Promise<void> = Promise.resolve();
  private release: (() => void) | undefined;

  constructor(private readonly thread: SqliteWriterThread) {
    this.connection = {
      executeQuery: <R>(query: CompiledQuery) => this.thread.execute(query.sql, query.parameters) as Promise<QueryResult<R>>,
      streamQuery: () => {
        throw new Error('the read-model writer thread does not stream query results');
      },
    };
  }

  async init(): Promise<void> {
    await this.thread.opened();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.held;
    let release!: () => void;
    this.held = new Promise((resolve) => (release = resolve));
    await previous;
    this.release = release;
    return this.connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(): Promise<void> {
    const release = this.release;
    this.release = undefined;
    release?.();
  }

  async destroy(): Promise<void> {
    await this.thread.close();
  }
}
