import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CommandBus } from '@nestjs/cqrs';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { performance } from 'perf_hooks';
import pino from 'pino';
import { Clock, CLOCK } from '@complaints/application';
import { CommandContext, ComplaintCommand } from '@complaints/domain';
import { EVENT_STORE, EventStore, SqliteEventStore } from '@complaints/event-store';
import { CommandIdentity } from '../apps/api/src/complaints/complaint-ids';
import { ComplaintCommandResult, RunComplaintCommand } from '../apps/api/src/complaints/run-complaint-command';
import { createApp } from '../apps/api/src/create-app';
import { Principal } from '../apps/api/src/platform/auth';
import { loadConfig } from '../apps/api/src/platform/config';
import { eventStoreFile } from '../apps/api/src/infrastructure/storage.module';
import { BenchOptions } from './options';
import { AGENT, msisdnFor, registerBody, registerData } from './payload';
import { RawEventTable, RawRows } from './raw-table';
import { BenchResult } from './result';
import { fmt, fmtInt, listRounds, log, median, rate, runFor, Timed } from './stats';

/**
 * RegisterComplaint through the real application context: the command is
 * built exactly as ComplaintCommands.run builds it (there without the
 * FastifyRequest: no Idempotency-Key, no If-Match) and goes through the
 * CommandBus, the handler, the pipeline and the SQLite event store.
 */
class CommandDriver {
  private readonly bus: CommandBus;
  private readonly clock: Clock;
  private readonly principal: Principal = { ...AGENT, scopes: [] };
  private sequence = 0;
  completed = 0;

  constructor(app: NestFastifyApplication) {
    this.bus = app.get(CommandBus);
    this.clock = app.get<Clock>(CLOCK);
  }

  async registerOne(): Promise<void> {
    const { principal } = this;
    const identity = CommandIdentity.fromIdempotencyKey(principal.sub, undefined);
    const complaintId = identity.newId('complaint');
    const body = registerBody(msisdnFor(this.sequence++));
    // as ComplaintCommands.run
    const now = this.clock.now().toISOString();
    const context: CommandContext = { now, actor: principal.sub };
    const build = () => ({ type: 'RegisterComplaint', data: registerData(complaintId, body), context }) as ComplaintCommand;
    const result = await this.bus.execute<RunComplaintCommand, ComplaintCommandResult>(
      new RunComplaintCommand('RegisterComplaint', principal, complaintId, build, { identity, now, ifMatch: undefined, workOrderId: undefined }),
    );
    if (result.revision !== 1 || result.events.length !== 1) throw new Error(`register ${complaintId}: revision ${result.revision}, ${result.events.length} events`);
    this.completed++;
  }
}

function runRawFor(seconds: number, table: RawEventTable, rows: RawRows): Timed {
  const start = performance.now();
  const end = start + seconds * 1000;
  let ops = 0;
  do {
    table.insertOne(rows.next());
    ops++;
  } while (performance.now() < end);
  return { ops, seconds: (performance.now() - start) / 1000 };
}

/** Appends per commit, from the store's onCommit hook (a diagnostic only: the app passes no hook). */
function watchCommits(store: EventStore): { commits: number; appends: number } {
  const counts = { commits: 0, appends: 0 };
  if (store instanceof SqliteEventStore) {
    Reflect.set(store, 'onCommit', (batch: { appends: number }) => {
      counts.commits++;
      counts.appends += batch.appends;
    });
  }
  return counts;
}

function synchronousOf(store: EventStore): unknown {
  const db: unknown = Reflect.get(store, 'db');
  return db instanceof Database ? db.pragma('synchronous', { simple: true }) : undefined;
}

export async function commandBenchmark(id: 'a' | 'b', options: BenchOptions): Promise<BenchResult> {
  const concurrency = id === 'a' ? 1 : options.inflight;
  const tag = `[${id}]`;
  const dir = mkdtempSync(join(tmpdir(), `complaints-bench-${id}-`));
  const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', NODE_ENV: 'test', SQLITE_SYNCHRONOUS: 'FULL' });
  let app: NestFastifyApplication | undefined;
  let table: RawEventTable | undefined;
  try {
    app = await createApp(config, { logger: pino({ level: 'silent' }) });
    await app.init();
    table = new RawEventTable(join(dir, 'raw.sqlite'), 'FULL');
    const rows = new RawRows();
    const store = app.get<EventStore>(EVENT_STORE);
    const sync = synchronousOf(store);
    if (sync !== 2) throw new Error(`the system's event store runs at synchronous=${String(sync)}, not FULL (2)`);
    const driver = new CommandDriver(app);
    const op = () => driver.registerOne();

    log(`${tag} ${concurrency === 1 ? 'one command at a time' : `${concurrency} commands in flight`}; warm-up ${options.warmupSeconds} s each side; ${dir}`);
    runRawFor(Math.min(options.warmupSeconds, 1), table, rows);
    await runFor(options.warmupSeconds, concurrency, op);

    const rawRates: number[] = [];
    const system: number[] = [];
    const commits = watchCommits(store);
    for (let round = 1; round <= options.rounds; round++) {
      const r = runRawFor(options.roundSeconds, table, rows);
      rawRates.push(rate(r));
      log(`${tag} round ${round}/${options.rounds} raw    : ${fmtInt(rate(r))} inserts/s (${r.ops} in ${fmt(r.seconds)} s)`);
      const s = await runFor(options.roundSeconds, concurrency, op);
      system.push(rate(s));
      log(`${tag} round ${round}/${options.rounds} system : ${fmtInt(rate(s))} commands/s (${s.ops} in ${fmt(s.seconds)} s)`);
    }

    // every command that resolved is a row in the system's file
    const check = new Database(eventStoreFile(config), { readonly: true });
    const stored = check.prepare<[], number>('SELECT COUNT(*) FROM events').pluck().get() ?? 0;
    check.close();
    if (stored !== driver.completed) throw new Error(`${driver.completed} commands resolved but ${stored} events are stored`);

    const rawMedian = median(rawRates);
    const systemMedian = median(system);
    const ratio = systemMedian / rawMedian;
    const threshold = id === 'a' ? 0.6 : 3;
    const details = [
      `rounds raw: ${listRounds(rawRates)} inserts/s; system: ${listRounds(system)} commands/s`,
      `system appends per commit (measured rounds): ${fmt(commits.appends / Math.max(commits.commits, 1), 1)} (${fmtInt(commits.commits)} commits)`,
      `row payload (data + metadata JSON): ${rows.payloadBytes} bytes; ${fmtInt(stored)} events stored and counted`,
    ];
    log(`${tag} median raw ${fmtInt(rawMedian)} inserts/s, system ${fmtInt(systemMedian)} commands/s, ratio ${fmt(ratio)} (target >= ${threshold})`);
    return {
      id,
      title: id === 'a' ? 'in-process RegisterComplaint, 1 in flight' : `in-process RegisterComplaint, ${concurrency} in flight (group commit)`,
      unit: 'commands/s',
      system: { label: 'CommandBus → handler → pipeline → SqliteEventStore', rounds: system, median: systemMedian },
      raw: { label: 'better-sqlite3 INSERT, 1 row per BEGIN IMMEDIATE..COMMIT', rounds: rawRates, median: rawMedian },
      ratio,
      target: `ratio >= ${threshold}`,
      pass: ratio >= threshold,
      details,
    };
  } finally {
    table?.close();
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
