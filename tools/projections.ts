/**
 * Rebuilds and inspects the read models the API would use:
 *
 *   npm run projections -- status
 *   npm run projections -- rebuild              every projection
 *   npm run projections -- rebuild complaints   one
 *
 * Same configuration as the API: DATA_DIR and SQLITE_SYNCHRONOUS for the
 * embedded default, DATABASE_URL for the read models (and log) in
 * PostgreSQL, EVENTSTORE_URL for the log in EventStoreDB. Safe while the API
 * runs: checkpoints move by compare-and-set, so two runners never apply a
 * batch twice, and the API's runner goes on from wherever the rebuild leaves
 * a projection. But on SQLite both then take turns at the write lock, and the
 * API waits for it with its event loop blocked: stop the API for a long
 * rebuild (or let the API rebuild by itself: bump the projection's version).
 * On PostgreSQL a rebuild takes the projections' lease when it is free, so no
 * instance starting meanwhile runs the projections beside it; when an
 * instance holds it, the rebuild says so and goes on beside it.
 *
 * Exit status: 0 done, 1 a projection failed (or the configuration is bad),
 * 2 usage, 130 interrupted.
 */
import { MultiBar, Presets, SingleBar } from 'cli-progress';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { EsdbEventStore, EventStore, PostgresEventStore, SqliteEventStore } from '@complaints/event-store';
import {
  openPostgresReadModelDb,
  openSqliteReadModelDb,
  ProjectionFailedError,
  ProjectionRunner,
  ProjectionRunnerStoppedError,
  ProjectionStatus,
  ReadModelDb,
  RunnerLogger,
  UnknownProjectionError,
} from '@complaints/read-models';
import { allProjections } from '@complaints/read-models/projections';
import { LeaseHandle } from '../apps/api/src/cluster/leases';
import { PostgresLeases } from '../apps/api/src/cluster/postgres-leases';
import { chooseStores, describeStores, EVENT_STORE_SCHEMA, eventStoreFile, READ_MODELS_SCHEMA, readModelsFile } from '../apps/api/src/infrastructure/store-choice';
import { AppConfig, InvalidConfigError, loadConfig } from '../apps/api/src/platform/config';
import { PROJECTIONS_LEASE } from '../apps/api/src/read-models/leased-projection-host';

const USAGE = `usage: npm run projections -- status
       npm run projections -- rebuild [name]

  status    where every projection stands: checkpoint, head of the log, lag, failures
  rebuild   empties one projection (or all) and replays the whole log into it`;

type Command = { kind: 'status' } | { kind: 'rebuild'; name?: string };

class UsageError extends Error {}

function parseCommand(argv: string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, strict: true, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (parsed.values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const [command, name, ...rest] = parsed.positionals;
  if (command === 'status' && name === undefined) return { kind: 'status' };
  if (command === 'rebuild' && rest.length === 0) return { kind: 'rebuild', name };
  throw new UsageError(command === undefined ? 'a command is required' : `unexpected: ${parsed.positionals.join(' ')}`);
}

/** Lines for a person on stderr; through the progress bar while it is drawn, so they do not tear it. */
function consoleLogger(print: (line: string) => void): RunnerLogger {
  const line = (level: string) => (fields: object, message: string) => {
    const { err } = fields as { err?: unknown };
    print(`${level}${message}${err instanceof Error ? ` (${err.message})` : ''}`);
  };
  return { info: line(''), warn: line('warning: '), error: line('error: ') };
}

function statusTable(statuses: readonly ProjectionStatus[]): string {
  const header = ['projection', 'version', 'position', 'head', 'lag', 'status', 'last batch'];
  const rows = statuses.map((s) => [s.name, String(s.version), String(s.position), String(s.head), String(s.lag), s.status, s.lastBatchAt ?? '-']);
  const numeric = new Set([1, 2, 3, 4]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
  const format = (row: string[]) => row.map((cell, i) => (numeric.has(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ').trimEnd();
  const errors = statuses.filter((s) => s.lastError !== null).map((s) => `\n${s.name}: ${s.lastError}`);
  return [format(header), ...rows.map(format)].join('\n') + errors.join('');
}

/**
 * Progress of a rebuild on stderr: a bar (events done/total, rate, ETA) on a
 * terminal, else a plain line every few seconds (CI logs). Lines printed
 * while the bar is drawn go through it, so they do not tear it.
 */
class RebuildProgress {
  /** from the first report, which comes once the projections are reset: the rate is the replay's */
  private startedAt: number | undefined;
  private bars: MultiBar | undefined;
  private bar: SingleBar | undefined;
  private lastLineAt = 0;

  print(line: string): void {
    if (this.bars) this.bars.log(`${line}\n`);
    else process.stderr.write(`${line}\n`);
  }

  update(done: number, total: number): void {
    if (total === 0) return;
    this.startedAt ??= performance.now();
    const seconds = (performance.now() - this.startedAt) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    if (!process.stderr.isTTY) {
      if (performance.now() - this.lastLineAt < PLAIN_PROGRESS_EVERY_MS && done < total) return;
      this.lastLineAt = performance.now();
      process.stderr.write(`${formatCount(done)}/${formatCount(total)} events, ${formatCount(rate)} events/s\n`);
      return;
    }
    if (!this.bars) {
      this.bars = new MultiBar(
        { format: '{bar} {percentage}% | {value}/{total} events | {rate} events/s | ETA {eta_formatted}', hideCursor: true, etaBuffer: 50 },
        Presets.shades_classic,
      );
      this.bar = this.bars.create(total, 0, { rate: '0' });
    }
    this.bar?.setTotal(total);
    this.bar?.update(done, { rate: formatCount(rate) });
  }

  stop(): void {
    // stop() alone drops the lines logged since the last redraw (a failure, say): redraw first.
    this.bars?.update();
    this.bars?.stop();
    this.bars = undefined;
  }
}

const PLAIN_PROGRESS_EVERY_MS = 5000;
const formatCount = (n: number) => n.toLocaleString('en-US');

async function rebuild(runner: ProjectionRunner, name: string | undefined, progress: RebuildProgress): Promise<void> {
  const result = await runner.rebuild(name, (done, total) => progress.update(done, total));
  progress.stop();
  const seconds = result.durationMs / 1000;
  const rate = seconds > 0 ? formatCount(Math.round(result.events / seconds)) : '-';
  process.stdout.write(`Rebuilt ${result.projections.join(', ') || 'nothing'}: ${formatCount(result.events)} events in ${seconds.toFixed(1)} s (${rate} events/s)\n\n`);
}

/** The event log and the read models the API's configuration names; only reads of the log. */
async function openStores(config: AppConfig): Promise<{ store: EventStore; db: ReadModelDb }> {
  const choice = chooseStores(config);
  const store =
    choice.log === 'eventstoredb'
      ? new EsdbEventStore({ connectionString: config.eventStoreUrl! })
      : choice.log === 'postgres'
        ? await PostgresEventStore.open({ connectionString: config.databaseUrl!, schema: EVENT_STORE_SCHEMA, listen: false, poolSize: 2 })
        : new SqliteEventStore({ filename: eventStoreFile(config), synchronous: config.sqliteSynchronous });
  try {
    const db =
      choice.readModels === 'postgres'
        ? await openPostgresReadModelDb({ connectionString: config.databaseUrl!, schema: READ_MODELS_SCHEMA, poolSize: 2 })
        : openSqliteReadModelDb(readModelsFile(config));
    return { store, db };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/**
 * On PostgreSQL, the projections' lease for the time of a rebuild, when no
 * instance holds it: none starts running them beside the rebuild meanwhile
 * (and if the lease's connection fails, the rebuild stops, as the API's
 * runner would). undefined on SQLite.
 */
async function takeProjectionsLease(config: AppConfig, runner: ProjectionRunner, print: (line: string) => void): Promise<PostgresLeases | undefined> {
  if (chooseStores(config).leases !== 'postgres') return undefined;
  const leases = new PostgresLeases({ connectionString: config.databaseUrl!, scope: READ_MODELS_SCHEMA, logger: pino({ level: 'silent' }) });
  const handle: LeaseHandle = await leases.hold(PROJECTIONS_LEASE, { start: () => undefined, stop: () => runner.stop() });
  if (!handle.held()) {
    print(
      'warning: a server instance runs the projections now (it holds their lease): the rebuild goes on beside it, ' +
        'the checkpoints keeping them from applying a batch twice; stop the instances for a long rebuild',
    );
  }
  return leases;
}

async function main(argv: string[]): Promise<number> {
  const command = parseCommand(argv);
  const config = loadConfig();
  const progress = new RebuildProgress();
  const print = (line: string) => progress.print(line);

  print(
    describeStores(config)
      .split('; ')
      .filter((part) => /^(event log|read models):/.test(part))
      .join('; '),
  );
  const { store, db } = await openStores(config);
  const runner = new ProjectionRunner({ store, db, projections: allProjections(config.policies), logger: consoleLogger(print) });
  const lease = command.kind === 'rebuild' ? await takeProjectionsLease(config, runner, print) : undefined;
  // Ctrl-C: finish the batch in flight, so the read model stays at its checkpoint.
  const interrupt = () => {
    print('stopping after the batch in flight…');
    void runner.stop();
  };
  process.once('SIGINT', interrupt);

  try {
    if (command.kind === 'rebuild') await rebuild(runner, command.name, progress);
    process.stdout.write(`${statusTable(await runner.status())}\n`);
    return 0;
  } catch (error) {
    progress.stop();
    if (error instanceof UnknownProjectionError) throw new UsageError(error.message);
    if (error instanceof ProjectionRunnerStoppedError) {
      process.stderr.write('Interrupted. Each projection is consistent at its checkpoint: a started runner goes on from there.\n');
      process.stdout.write(`${statusTable(await runner.status())}\n`);
      return 130;
    }
    if (error instanceof ProjectionFailedError) {
      process.stderr.write(`${error.message}\n`);
      process.stdout.write(`${statusTable(await runner.status())}\n`);
      return 1;
    }
    throw error;
  } finally {
    process.off('SIGINT', interrupt);
    await runner.stop();
    await lease?.close();
    await store.close();
    await db.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n\n${USAGE}\n`);
      process.exit(2);
    }
    if (error instanceof InvalidConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
