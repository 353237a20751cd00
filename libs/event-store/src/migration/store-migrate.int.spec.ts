import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { newEventId } from '../event-id';
import { EventLogImport, ImportMismatchError } from '../event-log-import';
import { EventStore, NewEvent, RecordedEvent } from '../event-store.port';
import { PostgresEventStore } from '../postgres/postgres.event-store';
import { describeWithPostgres, dropSchemas, freshSchemaName, POSTGRES_URL } from '../postgres/test/postgres.test-schema';
import { SqliteEventStore } from '../sqlite/sqlite.event-store';
import { copyEventLog, CopyRefusedError } from './copy-event-log';

/*
 * npm run store:migrate: a SQLite log copied into PostgreSQL (and into
 * SQLite), interrupted and resumed, the copy equal to the source event by
 * event; a target that holds another log refused.
 */

const ROOT = resolve(__dirname, '../../../..');

/** A log with several streams, metadata, null and non-ASCII data: `appends` appends of 1 to 4 events over 23 streams. */
async function fillSource(store: EventStore, appends: number): Promise<void> {
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < appends; i++) {
    const events: NewEvent[] = Array.from({ length: 1 + (i % 4) }, (_, j) => ({
      id: newEventId(),
      type: j === 0 ? 'ComplaintRegistered' : 'WorkOrderDispatched',
      data: i % 11 === 0 ? null : { n: i, j, text: '宽带断网 ünïcödé', nested: { list: [i, j, null] } },
      metadata: i % 5 === 0 ? undefined : { actor: `desk-${i % 7}`, occurredAt: new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString() },
    }));
    pending.push(store.append(`complaint-${i % 23}`, events, { expectedRevision: 'any' }));
  }
  await Promise.all(pending);
}

interface Target {
  store: EventStore & EventLogImport;
  cliArgs: string[];
  reopen: () => Promise<EventStore & EventLogImport>;
  cleanup: () => Promise<void>;
}

const targets: [string, (dir: string) => Promise<Target>][] = [
  [
    'PostgreSQL',
    async () => {
      const schema = freshSchemaName('migrate');
      const open = () => PostgresEventStore.open({ connectionString: POSTGRES_URL, schema, listen: false });
      const opened: EventStore[] = [];
      const tracked = async () => {
        const store = await open();
        opened.push(store);
        return store;
      };
      return {
        store: await tracked(),
        cliArgs: ['--to', POSTGRES_URL, '--to-schema', schema],
        reopen: tracked,
        cleanup: async () => {
          await Promise.all(opened.map((store) => store.close()));
          await dropSchemas([schema]);
        },
      };
    },
  ],
  [
    'SQLite',
    async (dir) => {
      const file = join(dir, 'target', 'events.sqlite');
      const opened: EventStore[] = [];
      const tracked = async () => {
        const store = new SqliteEventStore({ filename: file });
        opened.push(store);
        return store;
      };
      return {
        store: await tracked(),
        cliArgs: ['--to', `sqlite:${join(dir, 'target')}`],
        reopen: tracked,
        cleanup: async () => {
          await Promise.all(opened.map((store) => store.close()));
        },
      };
    },
  ],
];

describeWithPostgres('store:migrate', () => {
  let dir: string;
  let source: SqliteEventStore;
  let target: Target;
  let log: RecordedEvent[];

  describe.each(targets)('from SQLite to %s', (_, openTarget) => {
    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), 'store-migrate-'));
      source = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
      await fillSource(source, 240);
      log = await source.readAll({ fromPosition: 0 });
      target = await openTarget(dir);
    });
    afterEach(async () => {
      await source.close();
      await target.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    it('copies the log event by event: streams, revisions, ids, types, data, metadata, recorded times, positions', async () => {
      const result = await copyEventLog(source, target.store, { batchSize: 64 });

      expect(result).toEqual({ position: log.length, head: log.length, startedFrom: 0, interrupted: false });
      expect(await target.store.readAll({ fromPosition: 0 })).toEqual(log);
      const { revision, events } = await target.store.readStream('complaint-3');
      expect({ revision, events }).toEqual(await source.readStream('complaint-3'));
    });

    it('stops after the batch in flight when interrupted, and a second run goes on from the target’s head', async () => {
      const abort = new AbortController();
      const first = await copyEventLog(source, target.store, {
        batchSize: 50,
        signal: abort.signal,
        onProgress: ({ position }) => position >= 150 && abort.abort(),
      });
      expect(first).toMatchObject({ position: 150, interrupted: true });
      expect(await target.store.headPosition()).toBe(150);

      const seen: number[] = [];
      const second = await copyEventLog(source, target.store, { batchSize: 50, onProgress: ({ position }) => seen.push(position) });

      expect(second).toEqual({ position: log.length, head: log.length, startedFrom: 150, interrupted: false });
      expect(seen[0]).toBe(150);
      expect(await target.store.readAll({ fromPosition: 0 })).toEqual(log);
      // and a third run finds nothing to do
      await expect(copyEventLog(source, target.store)).resolves.toMatchObject({ startedFrom: log.length, position: log.length });
    });

    it('refuses a target that holds another log, writing nothing', async () => {
      await target.store.append('complaint-elsewhere', [{ id: newEventId(), type: 'ComplaintRegistered', data: {} }], { expectedRevision: 'no_stream' });

      await expect(copyEventLog(source, target.store)).rejects.toBeInstanceOf(CopyRefusedError);
      expect(await target.store.headPosition()).toBe(1);
    });

    it('refuses a target whose last event differs from the source’s at its position, and one that holds more', async () => {
      await target.store.importEvents(log.slice(0, 10));
      await target.store.append(log[10].streamId, [{ id: newEventId(), type: 'Other', data: {} }], { expectedRevision: 'any' });
      await expect(copyEventLog(source, target.store)).rejects.toThrow(/at position 11 the target holds event .* the source event/);

      const small = new SqliteEventStore({ filename: join(dir, 'small.sqlite') });
      try {
        await small.importEvents(log.slice(0, 5));
        await expect(copyEventLog(small, target.store)).rejects.toThrow(/the target holds 11 events, the source 5/);
      } finally {
        await small.close();
      }
    });

    it('imports only at the target’s next position and each stream’s next revision, all of a call or nothing', async () => {
      await expect(target.store.importEvents(log.slice(1, 3))).rejects.toBeInstanceOf(ImportMismatchError);
      const wrongRevision = { ...log[1], revision: log[1].revision + 1 };
      await expect(target.store.importEvents([log[0], wrongRevision])).rejects.toBeInstanceOf(ImportMismatchError);
      expect(await target.store.headPosition()).toBe(0);
    });

    it('npm run store:migrate: killed in the middle, run again, the copy is the source’s log', async () => {
      await fillSource(source, 1400);
      log = await source.readAll({ fromPosition: 0 });
      await source.close();
      const args = ['--from', `sqlite:${dir}`, ...target.cliArgs, '--batch', '20'];

      const killed = await runCli(args, { killWhen: async () => (await target.store.headPosition()) > 0 });
      const copiedBeforeKill = await target.store.headPosition();
      expect(killed.signal).toBe('SIGKILL');
      expect(copiedBeforeKill).toBeGreaterThan(0);
      expect(copiedBeforeKill).toBeLessThan(log.length);

      const resumed = await runCli(args);
      expect(resumed.code).toBe(0);
      expect(resumed.stderr).toContain(`holds the first ${copiedBeforeKill.toLocaleString('en-US')} events of this log already`);
      expect(resumed.stdout).toContain('npm run projections -- rebuild');
      // what another process reads from the target
      const reopened = await target.reopen();
      expect(await reopened.readAll({ fromPosition: 0 })).toEqual(log);

      source = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
    }, 60_000);
  });

  it('refuses a source that does not exist, without creating it', async () => {
    const missing = join(tmpdir(), `no-such-store-${process.pid}`);
    const run = await runCli(['--from', `sqlite:${missing}`, '--to', `sqlite:${missing}-target`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`there is no event log at ${join(missing, 'events.sqlite')}`);
    expect(run.stderr).not.toContain('    at ');
  }, 30_000);
});

interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the tool as npm run store:migrate does (ts-node), SIGKILLing it once `killWhen` holds. */
function runCli(args: string[], options: { killWhen?: () => Promise<boolean> } = {}): Promise<CliRun> {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'tools/store-migrate.ts', ...args],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let watching = options.killWhen !== undefined;
  const watch = async () => {
    while (watching) {
      if (await options.killWhen!().catch(() => false)) {
        child.kill('SIGKILL');
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  void watch();
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      watching = false;
      resolve({ code, signal, stdout, stderr });
    });
  });
}
