import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Writable } from 'node:stream';
import { BUILT_IN_POLICIES } from '@complaints/domain';
import { newEventId, SqliteEventStore } from '@complaints/event-store';
import { ProjectionRunnerStoppedError, WaitForPositionTimeoutError } from '@complaints/read-models';
import { WorkerProjectionHost } from './worker-projection-host';

/** Runs the compiled worker of dist/ (npm test builds first). */
describe('WorkerProjectionHost', () => {
  let dir: string;
  let store: SqliteEventStore;
  let host: WorkerProjectionHost;
  let logLines: string[];

  const registered = (id: string) => ({
    id: newEventId(),
    type: 'ComplaintRegistered',
    data: {
      complaintId: id,
      channel: 'business_hall',
      customer: { msisdn: '13800000001', name: '张三', vip: false, groupCustomer: false, accountType: 'personal' },
      branch: 'ZG',
      category: 'billing',
      description: 'charged twice',
      baseLevel: 1,
      level: 1,
      levelRaisedBy: [],
      priorComplaints: 0,
      registeredAt: '2026-11-02T01:00:00.000Z',
      dueAt: '2026-11-05T01:00:00.000Z',
      appealRiskAt: '2026-11-17T01:00:00.000Z',
      policyVersion: '2026.1',
    },
    metadata: { occurredAt: '2026-11-02T01:00:00.000Z', actor: 'agent-1' },
  });

  const complaintsInReadModel = () => {
    const db = new Database(join(dir, 'read-models.sqlite'), { readonly: true });
    try {
      return db.prepare('SELECT id FROM complaints ORDER BY id').pluck().all();
    } finally {
      db.close();
    }
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'projection-worker-'));
    store = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
    logLines = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString());
        done();
      },
    });
    host = new WorkerProjectionHost({
      store,
      data: { eventStoreFile: join(dir, 'events.sqlite'), readModelsFile: join(dir, 'read-models.sqlite'), policies: BUILT_IN_POLICIES, settings: { pollIntervalMs: 50 } },
      logger: pino({ level: 'info' }, destination),
      restartDelayMs: 50,
    });
  });

  afterEach(async () => {
    await host.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('projects what the main thread commits, and waitForPosition resolves once it is in the read models', async () => {
    await host.start();
    await expect(host.started()).resolves.toBeUndefined();
    const { lastPosition } = await store.append('complaint-c1', [registered('c1')], { expectedRevision: 'no_stream' });
    await host.waitForPosition(lastPosition, 5000);
    expect(complaintsInReadModel()).toEqual(['c1']);

    const statuses = await host.status();
    expect(statuses.map((s) => s.name)).toEqual(expect.arrayContaining(['complaints']));
    for (const status of statuses) expect(status).toMatchObject({ position: lastPosition, head: lastPosition, lag: 0, status: 'ok' });
    // the worker's log lines reach the main thread's logger
    expect(logLines.join('')).toContain('projection runner started');
  });

  it('catches up at start with what was committed before it, and a wait beyond the log times out naming who is behind', async () => {
    await store.append('complaint-c1', [registered('c1')], { expectedRevision: 'no_stream' });
    const { lastPosition } = await store.append('complaint-c2', [registered('c2')], { expectedRevision: 'no_stream' });
    await host.start();
    await host.waitForPosition(lastPosition, 5000);
    expect(complaintsInReadModel()).toEqual(['c1', 'c2']);
    await expect(host.waitForPosition(lastPosition + 10, 100)).rejects.toBeInstanceOf(WaitForPositionTimeoutError);
  });

  it('starts the worker again when it dies, reporting it failing meanwhile; nothing is lost', async () => {
    await host.start();
    const worker = Reflect.get(host, 'worker') as { terminate(): Promise<number> };
    await worker.terminate();
    const down = await host.status();
    expect(down.every((s) => s.status === 'failing')).toBe(true);
    expect(down[0].lastError).toMatch(/exited/);

    const { lastPosition } = await store.append('complaint-c3', [registered('c3')], { expectedRevision: 'no_stream' });
    await host.waitForPosition(lastPosition, 5000);
    expect(complaintsInReadModel()).toEqual(['c3']);
    expect((await host.status()).every((s) => s.status === 'ok')).toBe(true);
    expect(logLines.join('')).toContain('starting it again');
  });

  it('stop() finishes and rejects later waits', async () => {
    await host.start();
    await host.stop();
    await expect(host.waitForPosition(99)).rejects.toBeInstanceOf(ProjectionRunnerStoppedError);
  });
});
