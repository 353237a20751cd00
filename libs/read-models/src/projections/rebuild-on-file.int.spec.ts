import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordedEvent } from '@complaints/event-store';
import { openSqliteReadModelDb } from '../sqlite-read-model-db';
import { ProjectionRunner } from '../runner/projection-runner';
import { recordingLogger } from '../runner/test/runner-test-helpers';
import { ComplaintsProjection } from './complaints.projection';
import { PersonalDataReadsProjection } from './personal-data-reads.projection';
import { PreventiveMeasuresProjection } from './preventive-measures.projection';
import { randomHistory } from './test/random-history.fixture';
import { dumpReadModels as dump, logOf, READ_MODEL_TABLES as TABLES } from './test/read-model-dump.fixture';

/*
 * A rebuild on a SQLite file writes through a connection in a thread of its own, a deferred batch's rows
 * one batch late (while the next one folds): it must leave exactly the rows that following the log
 * batch after batch wrote.
 */
const history = randomHistory({ seed: 20261128, complaints: 240, days: 10, start: '2026-09-30T13:00:00.000Z' });
// few complaints kept in memory: many leave a deferred batch and come back in the next one, or later
const projections = () => [new ComplaintsProjection(undefined, { heldBackComplaints: 12, cachedComplaints: 5 }), new PreventiveMeasuresProjection(), new PersonalDataReadsProjection()];

describe('a rebuild of every projection on a SQLite file', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'rebuild-on-file-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes through its own thread and leaves the rows that following the log wrote', async () => {
    // following the log: appends in small steps, each applied by the started runner
    const followed = openSqliteReadModelDb(join(dir, 'followed.sqlite'));
    const log: RecordedEvent[] = [];
    const live = new ProjectionRunner({ store: logOf(log), db: followed, projections: projections(), batchSize: 31, pollIntervalMs: 10 });
    await live.start();
    for (let i = 0; i < history.length; ) {
      const step = 1 + ((i * 7919) % 120);
      log.push(...history.slice(i, i + step));
      i += step;
      live.appended();
      await live.waitForPosition(log.length, 20_000);
    }
    await live.stop();
    const expected = await dump(followed);
    await followed.destroy();
    expect(expected.complaints.length).toBe(history.filter((e) => e.type === 'ComplaintRegistered').length);

    // rebuilt by the CLI's runner, in batches of up to 150 events
    const rebuiltDb = openSqliteReadModelDb(join(dir, 'rebuilt.sqlite'));
    const logger = recordingLogger();
    const cli = new ProjectionRunner({ store: logOf([...history]), db: rebuiltDb, projections: projections(), batchSize: 37, maxBatchSize: 150, logger });
    const result = await cli.rebuild();
    await cli.stop();
    expect(result.events).toBe(history.length);
    expect(logger.messages('info')).toContain('the rebuild writes through a connection of its own in the read-model writer thread');
    const rebuilt = await dump(rebuiltDb);
    await rebuiltDb.destroy();
    for (const table of TABLES) expect({ table, rows: rebuilt[table] }).toEqual({ table, rows: expected[table] });
  }, 60_000);
});
