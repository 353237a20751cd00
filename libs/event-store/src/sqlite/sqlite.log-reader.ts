import { Worker } from 'node:worker_threads';
import { BackgroundLogReader, ReadAllOptions, RecordedEvent } from '../event-store.port';

/**
 * The worker's code (no module of this project: only better-sqlite3, whose
 * path it is given). Its own connection to the file (WAL: it reads a
 * committed snapshot and never blocks the writer). For each request it
 * answers with pages, each one JSON text of arrays that SQLite writes without
 * parsing anything: the data and metadata columns are JSON already. The other
 * thread then has one JSON.parse to do instead of stepping SQLite, copying
 * every column into a row object and parsing two texts per event.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.filename, { fileMustExist: true });
db.pragma('query_only = ON');
// SQLite itself writes a page's JSON text (its data and metadata are JSON already): no row reaches JavaScript
const ROW = "'[' || position || ',' || json_quote(stream_id) || ',' || revision || ',' || json_quote(event_id) || ',' || json_quote(type) || ',' || data || ',' || metadata || ',' || json_quote(recorded_at) || ']'";
const statements = new Map();
function select(limit) {
  let statement = statements.get(limit);
  if (!statement) {
    statement = db.prepare(
      'SELECT count(*) AS n, max(position) AS last, ' + "'[' || coalesce(group_concat(" + ROW + ", ',' ORDER BY position), '') || ']' AS text " +
        'FROM (SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ' + limit + ')',
    );
    if (statements.size > 16) statements.clear();
    statements.set(limit, statement);
  }
  return statement;
}
parentPort.on('message', (request) => {
  if (request.type === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    // page after page without waiting for the other thread, which takes them when it can
    let from = request.fromPosition;
    let left = request.limit;
    for (;;) {
      const size = Math.min(left, workerData.page);
      const page = select(size).get(from);
      left -= page.n;
      const done = page.n < size || left === 0;
      parentPort.postMessage({ id: request.id, text: page.text, done });
      if (done) return;
      from = page.last;
    }
  } catch (error) {
    parentPort.postMessage({ id: request.id, error: String((error && error.stack) || error) });
  }
});
`;

type Row = [position: number, streamId: string, revision: number, id: string, type: string, data: unknown, metadata: RecordedEvent['metadata'], recordedAt: string];

interface Pending {
  events: RecordedEvent[];
  resolve: (events: RecordedEvent[]) => void;
  reject: (error: unknown) => void;
}

/** the most events the worker reads at a time: a page's rows and text stay a few megabytes */
const PAGE = 2_000;
/** the worker's heap: a page at a time (rows and their text), a few megabytes each */
const WORKER_OLD_GENERATION_MB = 32;
const WORKER_YOUNG_GENERATION_MB = 4;

/**
 * Reads the log of a SQLite event store in a worker thread (see
 * {@link SqliteEventStore.openBackgroundReader}): what the store's own
 * readAll does on the calling thread, so that a reader with other work (the
 * projection runner rebuilding) can have the next events read on the other
 * core while it works. Reads only committed events, in position order.
 */
export class SqliteLogReader implements BackgroundLogReader {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | undefined;
  private closing: Promise<void> | undefined;
  private readonly exited: Promise<void>;

  constructor(filename: string) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      name: 'event-log-reader',
      workerData: { filename, driver: require.resolve('better-sqlite3'), page: PAGE },
      resourceLimits: { maxOldGenerationSizeMb: WORKER_OLD_GENERATION_MB, maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
    });
    this.worker.unref();
    this.worker.on('message', (message: { id: number; text?: string; done?: boolean; error?: string }) => {
      const request = this.pending.get(message.id);
      if (!request) return;
      if (message.error === undefined) {
        for (const row of JSON.parse(message.text!) as Row[]) request.events.push(toRecordedEvent(row));
        if (!message.done) return;
      }
      this.pending.delete(message.id);
      if (this.pending.size === 0) this.worker.unref();
      if (message.error !== undefined) request.reject(new Error(`the event log reader failed: ${message.error}`));
      else request.resolve(request.events);
    });
    this.worker.on('error', (error) => this.fail(error));
    this.exited = new Promise((resolve) =>
      this.worker.once('exit', (code) => {
        this.fail(new Error(`the event log reader stopped (exit code ${code})`));
        resolve();
      }),
    );
  }

  readAll({ fromPosition, limit }: ReadAllOptions): Promise<RecordedEvent[]> {
    // in pages of PAGE events, which the worker reads one after the other
    return this.request(fromPosition, limit ?? Number.MAX_SAFE_INTEGER);
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.fail(new Error('the event log reader is closed'));
      this.worker.ref();
      this.worker.postMessage({ type: 'close' });
      this.closing = this.exited;
    }
    return this.closing;
  }

  private request(fromPosition: number, limit: number): Promise<RecordedEvent[]> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { events: [], resolve, reject });
      // a read in flight keeps the process alive, an idle reader does not
      this.worker.ref();
      this.worker.postMessage({ type: 'read', id, fromPosition, limit });
    });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const request of this.pending.values()) request.reject(this.failure);
    this.pending.clear();
  }
}

function toRecordedEvent(row: Row): RecordedEvent {
  return { id: row[3], streamId: row[1], type: row[4], data: row[5], metadata: row[6], revision: row[2], position: row[0], recordedAt: row[7] };
}
