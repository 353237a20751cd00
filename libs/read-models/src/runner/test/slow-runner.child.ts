/**
 * The child process of projection-runner.crash.int.spec.ts: runs the
 * projection runner over an event log with a deliberately slow projection
 * that is not idempotent, until it is killed. Prints the last position of
 * each batch as it starts applying it, so the parent knows it is mid-run.
 *
 * usage: node -r ts-node/register/transpile-only -r tsconfig-paths/register slow-runner.child.ts <events.sqlite> <read-models.sqlite>
 */
import { SqliteEventStore } from '@complaints/event-store';
import { openSqliteReadModelDb } from '../../sqlite-read-model-db';
import { ProjectionRunner } from '../projection-runner';
import { StreamCounterProjection } from './stream-counter.projection';

const [eventsFile, readModelsFile] = process.argv.slice(2);
const runner = new ProjectionRunner({
  store: new SqliteEventStore({ filename: eventsFile }),
  db: openSqliteReadModelDb(readModelsFile),
  projections: [
    new StreamCounterProjection({
      idempotent: false,
      delayMs: 5,
      onBatch: (positions) => process.stdout.write(`${positions[positions.length - 1]}\n`),
    }),
  ],
  batchSize: 200,
});

runner.start().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
