import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { EVENT_STORE, EventStore, newEventId } from '@complaints/event-store';
import { ProjectionHost } from '@complaints/read-models';
import { eventually } from '@complaints/read-models/runner/test/runner-test-helpers';
import { StreamCounterProjection } from '@complaints/read-models/runner/test/stream-counter.projection';
import { StorageModule } from '../infrastructure/storage.module';
import { ConfigModule, loadConfig } from '../platform/config';
import { HealthRegistry, MetricsService, ObservabilityModule } from '../platform/observability';
import { PROJECTION_HOST, ReadModelsModule } from './read-models.module';

@Module({})
class RootModule {}

/** The module wired as the API wires it: configuration, observability, the stores, then the read models. */
async function boot(dataDir: string, projections: StreamCounterProjection[], logLines: string[]): Promise<INestApplicationContext> {
  const config = loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'test', LOG_LEVEL: 'info' });
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  return NestFactory.createApplicationContext(
    {
      module: RootModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule.forRoot(pino({ level: 'info' }, destination)),
        StorageModule,
        ReadModelsModule.forRoot(projections, { pollIntervalMs: 20, retry: { initialDelayMs: 20 } }),
      ],
    },
    { logger: false, abortOnError: false },
  );
}

describe('ReadModelsModule', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'read-models-module-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('runs the projections on DATA_DIR/read-models.sqlite, reports them in /metrics and /health, and stops before the store closes', async () => {
    const logLines: string[] = [];
    const counter = new StreamCounterProjection();
    const flaky = new StreamCounterProjection({ name: 'flaky', failOn: () => true });
    const app = await boot(dataDir, [counter, flaky], logLines);
    const store = app.get<EventStore>(EVENT_STORE);
    const runner = app.get<ProjectionHost>(PROJECTION_HOST);

    const { lastPosition } = await store.append('s', [{ id: newEventId(), type: 'Counted', data: {} }], { expectedRevision: 'no_stream' });
    await runner.waitForPosition(lastPosition);

    const metrics = await app.get(MetricsService).render();
    expect(metrics).toContain('complaints_projection_lag_events{projection="stream-counter"} 0');
    expect(metrics).toContain('complaints_projection_lag_events{projection="flaky"} 1');
    expect(metrics).toContain('complaints_projection_position{projection="stream-counter"} 1');

    const report = await app.get(HealthRegistry).check();
    expect(report.checks.projections).toEqual({ status: 'down', detail: 'failing: flaky at position 0' });
    expect(report.status).toBe('degraded'); // not critical: commands still work

    flaky.failOn = undefined; // the fix: the retry applies the event it failed on
    await eventually(async () => (await app.get(HealthRegistry).check()).checks.projections.status === 'ok');

    await app.close();
    // nothing else went wrong, on the way or at shutdown
    const errors = logLines.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((line) => line.level >= 50);
    expect(errors.length).toBeGreaterThan(0);
    for (const { msg } of errors) expect(msg).toMatch(/^projection flaky failed on the events after position 0; it is retried in \d+ ms/);

    const file = join(dataDir, 'read-models.sqlite');
    expect(existsSync(file)).toBe(true);
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.prepare('SELECT name, position, status FROM projection_checkpoints ORDER BY name').all()).toEqual([
        { name: 'flaky', position: 1, status: 'ok' },
        { name: 'stream-counter', position: 1, status: 'ok' },
      ]);
    } finally {
      db.close();
    }
  });
});
