import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { SqliteEventStore } from '@complaints/event-store';
import { openSqliteReadModelDb } from '../sqlite-read-model-db';
import { CHECKPOINT_TABLE } from './checkpoint.store';
import { ProjectionRunner } from './projection-runner';
import { appendEvents } from './test/event-log.fixture';
import { StreamCounterProjection } from './test/stream-counter.projection';

/**
 * Kills a process that is running the projections (SIGKILL: no chance to
 * finish a batch or close a file), most likely inside a batch's transaction,
 * then checks what it left: the read model holds exactly the events up to its
 * checkpoint. The projection counts naively (not idempotent), so an event
 * applied twice, or a checkpoint committed without its rows, would show.
 * Several rounds on the same files, then a runner in this process finishes.
 */
const CHILD = join(__dirname, 'test', 'slow-runner.child.ts');
const REPO_ROOT = resolve(__dirname, '../../../..');
const EVENTS = 20_000;
const ROUNDS = 3;

/** Runs the child until it has started `batches` batches, then kills it. */
async function runUntilKilled(eventsFile: string, readModelsFile: string, batches: number): Promise<void> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', CHILD, eventsFile, readModelsFile], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((done) => child.on('exit', (_code, signal) => done(signal)));
  let started = 0;
  for await (const _line of createInterface({ input: child.stdout })) {
    if (++started === batches) child.kill('SIGKILL');
  }
  const signal = await exited;
  if (signal !== 'SIGKILL') throw new Error(`the child ended by itself (${String(signal)}): ${stderr}`);
}

describe('ProjectionRunner killed while applying', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'projection-crash-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it(`leaves every read model exactly at its checkpoint (${ROUNDS} kills), and a restart completes it`, async () => {
    const eventsFile = join(dir, 'events.sqlite');
    const readModelsFile = join(dir, 'read-models.sqlite');
    const store = new SqliteEventStore({ filename: eventsFile, synchronous: 'NORMAL' });
    const perStream = await appendEvents(store, EVENTS, { streams: 37 });
    const counter = new StreamCounterProjection({ idempotent: false });

    let previous = 0;
    for (let round = 0; round < ROUNDS; round++) {
      await runUntilKilled(eventsFile, readModelsFile, 5 + Math.floor(Math.random() * 15));

      const db = openSqliteReadModelDb(readModelsFile);
      try {
        const checkpoint = await db.selectFrom(CHECKPOINT_TABLE).select('position').where('name', '=', counter.name).executeTakeFirstOrThrow();
        const position = Number(checkpoint.position);
        const counted = (await counter.dump(db)).reduce((sum, row) => sum + row.events, 0);
        // positions are 1..EVENTS without gaps: the checkpoint is also the number of events applied
        expect(counted).toBe(position);
        expect(position).toBeGreaterThan(previous);
        expect(position).toBeLessThan(EVENTS);
        previous = position;
      } finally {
        await db.destroy();
      }
    }

    const db = openSqliteReadModelDb(readModelsFile);
    const runner = new ProjectionRunner({ store, db, projections: [counter] });
    try {
      await runner.start();
      await runner.waitForPosition(EVENTS, 10_000);
      const counts = await counter.dump(db);
      expect(counts.map(({ stream_id, events }) => [stream_id, events])).toEqual([...perStream].sort(([a], [b]) => (a < b ? -1 : 1)));
    } finally {
      await runner.stop();
      await store.close();
      await db.destroy();
    }
  }, 30_000);
});
