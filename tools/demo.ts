/**
 * Realistic complaint traffic, written through the command pipeline:
 *
 *   npm run demo -- --days 30 --per-day 500 --seed 1 [--data-dir ./data] [--start 2026-10-01] [--append]
 *
 * Builds the real application (not listening) with the test clock, and runs
 * a seeded simulation of desks, the 10086 center, departments, supervisors,
 * accounts rooms and the deadline scheduler (apps/api/src/demo). The same
 * seed, start and daily rate give the same history. The store runs at
 * SQLITE_SYNCHRONOUS=NORMAL unless the environment says FULL; the read models
 * are stopped during the run and brought up to date at the end (by a second
 * instance of the application, its clock at the end of the period). Progress
 * goes to stderr, the summary to stdout. Exit status: 0 done, 1 a step was
 * refused (a bug in the script), 2 usage or a store that is not empty, 130
 * interrupted.
 */
import type { INestApplicationContext } from '@nestjs/common';
import { Presets, SingleBar } from 'cli-progress';
import { resolve } from 'path';
import pino from 'pino';
import type { EventStore } from '@complaints/event-store';
import type { ProjectionHost, ProjectionStatus } from '@complaints/read-models';
import type { DemoSummary } from '../apps/api/src/demo/demo-runner';
import { DEFAULT_START, DEMO_USAGE, DemoCliOptions, DemoUsageError, parseDemoArgs } from '../apps/api/src/demo/demo-options';
import { DAY, formatShanghai, localMidnight, shanghaiMidnight } from '../apps/api/src/demo/sim-time';

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (part: number, whole: number) => (whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)}%`);

/**
 * The application's warnings, one plain line each on stderr. The two it gives
 * at every start-up are expected here and left out: the demo serves no HTTP
 * (so no token is ever checked) and sets the test clock on purpose.
 */
function demoLogger(): pino.Logger {
  const expected = [/^JWT_SECRET is not set/, /^COMPLAINTS_TEST_CLOCK=1/];
  return pino(
    { level: 'warn' },
    {
      write(line: string) {
        let msg = line.trim();
        try {
          msg = String((JSON.parse(line) as { msg?: unknown }).msg ?? msg);
        } catch {
          // not JSON: print as is
        }
        if (!expected.some((pattern) => pattern.test(msg))) process.stderr.write(`api: ${msg}\n`);
      },
    },
  );
}

function table(title: string, counts: Record<string, number>, total: number): string[] {
  const rows = Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const width = Math.max(title.length, ...rows.map(([key]) => key.length));
  return [
    `  ${title.padEnd(width)}  ${'count'.padStart(8)}  ${'share'.padStart(6)}`,
    ...rows.map(([key, n]) => `  ${key.padEnd(width)}  ${int(n).padStart(8)}  ${pct(n, total).padStart(6)}`),
    '',
  ];
}

function report(summary: DemoSummary, file: string, head: { before: number; after: number }, wallSeconds: number): string {
  const s = summary;
  const written = head.after - head.before;
  const e = (type: string) => s.eventsByType[type] ?? 0;
  const lines = [
    `Demo ${s.interrupted ? 'interrupted' : 'complete'}: ${s.days} simulated day(s) from ${formatShanghai(s.start).slice(0, 10)} to ${formatShanghai(s.end).slice(0, 10)} (Asia/Shanghai), ${int(s.perDay)} complaints/day, seed ${s.seed}`,
    ...(s.interrupted ? [`  stopped at   ${formatShanghai(s.stoppedAt)} simulated, on request`] : []),
    `  store        ${file}${written > 0 ? ` (positions ${int(head.before + 1)} to ${int(head.after)})` : ''}`,
    `  complaints   ${int(s.complaints)} registered; ${int(s.complaints - (s.byStatus.archived ?? 0))} not archived and ${int(s.openAtEnd)} with steps to come (callbacks included) when it ${s.interrupted ? 'stopped' : 'ended'}`,
    `  events       ${int(written)} written by ${int(s.commands)} commands`,
    `  wall time    ${wallSeconds.toFixed(1)} s (${int(written / Math.max(wallSeconds, 0.001))} events/s)`,
    '',
    ...table('channel', s.byChannel, s.complaints),
    ...table('category (final)', s.byCategory, s.complaints),
    ...table('status at the end', s.byStatus, s.complaints),
    '  what happened',
    `    resolved on site       ${int(e('ComplaintResolvedOnSite'))} (${pct(e('ComplaintResolvedOnSite'), s.complaints)} of complaints, supervisors' included)`,
    `    reclassified           ${int(e('ComplaintClassified'))}`,
    `    work orders            ${int(e('WorkOrderDispatched'))} dispatched, ${int(e('WorkOrderForwarded'))} forwarded, ${int(e('WorkOrderReturned'))} returned (退单)`,
    `    department replies     ${int(s.replies.total)}: ${int(s.replies.late)} late (${pct(s.replies.late, s.replies.total)}), ${int(s.replies.unresolved)} unresolved`,
    `    customer replies       ${int(e('CustomerReplied'))}`,
    `    refunds                ${int(s.refunds.requested)} requested (${pct(s.refunds.requested, s.byCategory.billing ?? 0)} of billing complaints), ${int(s.refunds.verifiedLate)} verified late, ${int(s.refunds.rejected)} not refundable, ${int(s.refunds.billCredit)} to the bill, ${int(s.refunds.cash)} in cash`,
    `    satisfaction           ${int(e('SatisfactionRecorded'))} recorded`,
    `    escalations            ${int(s.escalations.customer_unsatisfied)} after an unsatisfied customer, ${int(s.escalations.work_order_overdue)} for overdue work orders, ${int(s.escalations.manual)} by hand`,
    `    clocks (scheduler)     ${int(s.deadlines.warnings)} early warnings; overdue: ${Object.entries(s.deadlines.overdue).map(([type, n]) => `${type} ${int(n)}`).join(', ') || 'none'}`,
    `    repeat complaints      ${int(s.repeatComplaints)} registered a level higher (a third or later complaint within the repeat window)`,
    `    archived               ${int(e('ComplaintArchived'))}`,
    `    callbacks (回访)        ${int(s.callbacks.satisfied)} satisfied, ${int(s.callbacks.unreachable)} unreachable (tried again), ${int(s.callbacks.unsatisfied)} unsatisfied (reopened)`,
    '',
  ];
  return lines.join('\n');
}

/** The day after the last event's business time: where an appended history goes by default. */
async function dayAfterLastEvent(store: EventStore, head: number): Promise<string> {
  const [last] = await store.readAll({ fromPosition: head - 1, limit: 1 });
  const at = Date.parse(String(last?.metadata.occurredAt ?? last?.recordedAt));
  if (Number.isNaN(at)) return DEFAULT_START;
  return formatShanghai(localMidnight(at) + DAY).slice(0, 10);
}

/** the application's projection host, when it has one */
function projectionRunnerOf(app: INestApplicationContext, token: symbol): ProjectionHost | undefined {
  try {
    return app.get<ProjectionHost>(token, { strict: false });
  } catch {
    return undefined;
  }
}

/** The deadline scheduler's rounds, when the build has one. */
interface Scheduler {
  fireDue(): Promise<number>;
}

/**
 * Brings the read models up to the head of the log: a second instance of the
 * application (its clock at the end of the simulated period), whose
 * projection runner catches up in large batches as at a server start, until
 * no projection lags (or one fails). Then the deadline scheduler gets one more
 * round, for what came due at the very end.
 */
async function catchUpReadModels(
  open: () => Promise<{ app: INestApplicationContext; store: EventStore; runner?: ProjectionHost; scheduler?: Scheduler }>,
  endOfDemo: number,
  tty: boolean,
): Promise<string> {
  const started = performance.now();
  const { app, store, runner, scheduler } = await open();
  try {
    if (!runner) return 'no read models in this build';
    const bar = new SingleBar(
      { stream: process.stderr, format: ' {bar} read models {value}/{total} events', hideCursor: true, barsize: 24, fps: 5 },
      Presets.shades_classic,
    );
    const caughtUp = async (): Promise<ProjectionStatus[] | string> => {
      for (;;) {
        const statuses = await runner.status();
        const failing = statuses.find((p) => p.status === 'failing');
        if (failing) return `projection ${failing.name} is failing at position ${failing.position} (${failing.lastError ?? 'no detail'}); the API retries it when it starts`;
        if (tty) bar.update(Math.min(...statuses.map((p) => p.position)), {});
        if (statuses.every((p) => p.lag === 0)) return statuses;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };
    if (tty) bar.start(await store.headPosition(), 0);
    let statuses = await caughtUp();
    const fired = typeof statuses === 'string' || !scheduler ? 0 : await scheduler.fireDue();
    if (fired > 0 && typeof statuses !== 'string') {
      bar.setTotal(await store.headPosition());
      statuses = await caughtUp();
    }
    if (tty) bar.stop();
    if (typeof statuses === 'string') return statuses;
    const at = Math.max(...statuses.map((p) => p.position));
    const written = (await store.headPosition()) - endOfDemo;
    const deadlines = written > 0 ? `; the scheduler fired ${int(written)} events of deadlines due at the very end` : '';
    return `${statuses.map((p) => p.name).join(', ')} at position ${int(at)} (${((performance.now() - started) / 1000).toFixed(1)} s)${deadlines}`;
  } finally {
    await app.close();
  }
}

async function main(): Promise<number> {
  let options: DemoCliOptions;
  try {
    const parsed = parseDemoArgs(process.argv.slice(2), process.env);
    if (parsed === 'help') {
      process.stdout.write(`${DEMO_USAGE}\n`);
      return 0;
    }
    options = parsed;
  } catch (error) {
    if (!(error instanceof DemoUsageError)) throw error;
    process.stderr.write(`demo: ${error.message}\n\n${DEMO_USAGE}\n`);
    return 2;
  }

  // The application is loaded only now, so a mistake on the command line is answered at once.
  const { CLOCK, ManualClock } = await import('@complaints/application');
  const { EVENT_STORE, SqliteEventStore } = await import('@complaints/event-store');
  const { createApp } = await import('../apps/api/src/create-app');
  const { DeadlineScheduler } = await import('../apps/api/src/deadlines/deadline-scheduler');
  const { DemoAlreadyInStoreError, DemoStepError, runDemo } = await import('../apps/api/src/demo/demo-runner');
  const { eventStoreFile } = await import('../apps/api/src/infrastructure/storage.module');
  const { PROJECTION_HOST } = await import('../apps/api/src/read-models/read-models.module');
  const { InvalidConfigError, loadConfig } = await import('../apps/api/src/platform/config');

  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig({
      ...process.env,
      DATA_DIR: options.dataDir,
      COMPLAINTS_TEST_CLOCK: '1',
      LOG_LEVEL: 'warn',
      // Demo data is regenerated from its seed: NORMAL (WAL, no fsync per commit) unless the environment asks for FULL.
      SQLITE_SYNCHRONOUS: process.env.SQLITE_SYNCHRONOUS ?? 'NORMAL',
    });
  } catch (error) {
    if (!(error instanceof InvalidConfigError)) throw error;
    process.stderr.write(`demo: ${error.message}\n`);
    return 2;
  }
  const file = eventStoreFile(config);

  // What the store holds is read before the application starts: at start-up its deadline scheduler fires what is due.
  const existing = new SqliteEventStore({ filename: file, synchronous: config.sqliteSynchronous });
  let before: number;
  let startDate: string;
  try {
    before = await existing.headPosition();
    if (before > 0 && !options.append) {
      process.stderr.write(
        `demo: the event store ${file} already holds ${int(before)} events.\n` +
          `The demo writes into an empty store only: choose another --data-dir (or delete ${resolve(options.dataDir)}),\n` +
          'or pass --append to add this history to the existing one.\n',
      );
      return 2;
    }
    startDate = options.start ?? (before > 0 ? await dayAfterLastEvent(existing, before) : DEFAULT_START);
  } finally {
    await existing.close();
  }
  const start = shanghaiMidnight(startDate) as number;
  if (before > 0) process.stderr.write(`demo: appending to ${int(before)} events in ${file}, from ${startDate}\n`);

  /** the application, its test clock set to `at` before it starts, with its start-up deadline round over */
  const open = async (at: number) => {
    const app = await createApp(config, { logger: demoLogger() });
    const clock = app.get(CLOCK);
    if (clock instanceof ManualClock) clock.set(new Date(at));
    await app.init();
    const runner = projectionRunnerOf(app, PROJECTION_HOST);
    let scheduler: Scheduler | undefined;
    try {
      scheduler = app.get(DeadlineScheduler, { strict: false });
    } catch {
      scheduler = undefined;
    }
    await scheduler?.fireDue();
    return { app, store: app.get<EventStore>(EVENT_STORE), runner, scheduler };
  };
  const tty = process.stderr.isTTY === true;
  const { app, store, runner } = await open(start);
  let summary: DemoSummary | undefined;
  let after = before;
  let code: number;
  try {
    // The read models would follow every one of a hundred thousand small commits, each in its own
    // transaction; they are brought up to date once at the end instead, in large batches.
    await runner?.stop();

    const abort = new AbortController();
    const onSigint = () => {
      if (abort.signal.aborted) process.exit(130);
      abort.abort();
    };
    process.on('SIGINT', onSigint);

    const totalMinutes = options.days * 1440;
    const bar = new SingleBar(
      {
        stream: process.stderr,
        format: ' {bar} day {day}/{days} | {sim} | {complaints} complaints | {events} events | {rate} events/s',
        hideCursor: true,
        barsize: 24,
        fps: 10,
      },
      Presets.shades_classic,
    );
    const started = performance.now();
    const payload = (p: { at: number; daysElapsed: number; complaints: number; events: number }) => ({
      day: Math.min(options.days, Math.floor(p.daysElapsed) + 1),
      days: options.days,
      sim: formatShanghai(p.at),
      complaints: int(p.complaints),
      events: int(p.events),
      rate: int(p.events / Math.max((performance.now() - started) / 1000, 0.001)),
    });
    let lastDayLogged = 0;
    if (tty) bar.start(totalMinutes, 0, payload({ at: start, daysElapsed: 0, complaints: 0, events: 0 }));

    try {
      summary = await runDemo(app, {
        days: options.days,
        perDay: options.perDay,
        seed: options.seed,
        start,
        maxInFlight: options.concurrency,
        signal: abort.signal,
        onProgress: (p) => {
          if (tty) {
            bar.update(Math.round(p.daysElapsed * 1440), payload(p));
          } else if (Math.floor(p.daysElapsed) > lastDayLogged) {
            lastDayLogged = Math.floor(p.daysElapsed);
            const t = payload(p);
            process.stderr.write(`demo: day ${lastDayLogged}/${options.days} done: ${t.complaints} complaints, ${t.events} events, ${t.rate} events/s\n`);
          }
        },
      });
    } catch (error) {
      if (tty) bar.stop();
      if (error instanceof DemoAlreadyInStoreError) {
        process.stderr.write(`demo: ${error.message}\n`);
        return 2;
      }
      if (error instanceof DemoStepError) {
        process.stderr.write(`demo: ${error.message}\n`);
        return 1;
      }
      throw error;
    } finally {
      process.off('SIGINT', onSigint);
    }
    if (tty) bar.stop();
    const wallSeconds = (performance.now() - started) / 1000;
    after = await store.headPosition();
    process.stdout.write(report(summary, file, { before, after }, wallSeconds));
    code = summary.interrupted ? 130 : 0;
  } finally {
    await app.close();
  }
  if (runner) {
    const stoppedAt = summary.stoppedAt;
    process.stdout.write(`  read models  ${await catchUpReadModels(() => open(stoppedAt), after, tty)}\n`);
  }
  return code;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`demo: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
