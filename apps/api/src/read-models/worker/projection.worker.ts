/**
 * The projection worker: a ProjectionRunner in a worker thread of the API
 * process, on its own connections to the event-store file and to the
 * read-model file. The main thread tells it when it commits events and when a
 * query waits; it answers with its progress, its status and its log lines.
 * See WorkerProjectionHost for the main thread's side.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteEventStore } from '@complaints/event-store';
import { openSqliteReadModelDb, ProjectionRunner, RunnerLogger } from '@complaints/read-models';
import { allProjections } from '@complaints/read-models/projections';
import { FromProjectionWorker, ProjectionWorkerData, serialiseError, ToProjectionWorker, WorkerLogLevel } from './projection-worker.protocol';

if (!parentPort) throw new Error('projection.worker runs as a worker thread of the API, not on its own');
const port = parentPort;

const post = (message: FromProjectionWorker) => port.postMessage(message);

/** Log lines go to the main thread's logger; errors travel as plain data. */
function logAt(level: WorkerLogLevel) {
  return (fields: object, message: string) => {
    const plain: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(fields)) plain[key] = value instanceof Error ? serialiseError(value) : value;
    post({ type: 'log', level, fields: plain, message });
  };
}
const logger: RunnerLogger = { info: logAt('info'), warn: logAt('warn'), error: logAt('error') };

async function main(): Promise<void> {
  const data = workerData as ProjectionWorkerData;
  // Read only: the main thread is the one writer of the log.
  const store = new SqliteEventStore({ filename: data.eventStoreFile, synchronous: 'NORMAL', pollIntervalMs: data.settings.pollIntervalMs });
  const db = openSqliteReadModelDb(data.readModelsFile);
  const runner = new ProjectionRunner({
    store,
    db,
    projections: allProjections(data.policies),
    logger,
    ...data.settings,
    // commits happen in the main thread, which reports them: no subscription reading them back here
    wakeOnAppend: false,
    onProgress: (reached) => post({ type: 'progress', reached }),
  });

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await runner.stop();
      await db.destroy();
      await store.close();
      post({ type: 'stopped' });
      port.close();
    })());

  port.on('message', (message: ToProjectionWorker) => {
    switch (message.type) {
      case 'appended':
        runner.appended();
        break;
      case 'wait':
        // the main thread keeps its own timer; here it only makes the runner look now
        runner.waitForPosition(message.position).catch(() => undefined);
        break;
      case 'status':
        runner.status().then(
          (statuses) => post({ type: 'status', id: message.id, statuses }),
          (error: unknown) => post({ type: 'status-failed', id: message.id, error: serialiseError(error) }),
        );
        break;
      case 'stop':
        void stop();
        break;
    }
  });

  try {
    await runner.start();
  } catch (error) {
    post({ type: 'start-failed', error: serialiseError(error) });
    await db.destroy().catch(() => undefined);
    await store.close().catch(() => undefined);
    port.close();
    return;
  }
  post({ type: 'started', reached: runner.reachedPosition() });
}

main().catch((error: unknown) => {
  post({ type: 'start-failed', error: serialiseError(error) });
  port.close();
});
