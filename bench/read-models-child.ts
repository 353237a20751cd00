/**
 * The work of the read-model benchmark (d) that runs in a process of its own,
 * so that what one step leaves in the heap does not count against the next
 * one's memory, nor slow it down. Started with fork() by read-models.bench.ts;
 * answers with one IPC message and exits.
 *
 *   prepare <dir> <days> <perDay> <seed> <start>   the demo traffic into <dir>/events.sqlite
 *   raw <events.sqlite>                            the paged readAll scan of the whole log
 *   rebuild <events.sqlite> <read-models.sqlite>   every projection rebuilt into a new file
 */
import { readFileSync } from 'fs';
import { performance } from 'perf_hooks';
import { SqliteEventStore } from '@complaints/event-store';
import { openSqliteReadModelDb, ProjectionHost, ProjectionRunner } from '@complaints/read-models';
import { allProjections } from '@complaints/read-models/projections';
import { cpuSeconds, scanLog } from './log-scan';

export type ChildMessage =
  | { type: 'prepared'; events: number; complaints: number; commands: number; seconds: number }
  | { type: 'raw'; events: number; seconds: number; cpuSeconds: number; pages: number }
  | {
      type: 'rebuilt';
      events: number;
      seconds: number;
      cpuSeconds: number;
      /** the largest process.memoryUsage().rss seen by the sampler (every 25 ms and after every batch) */
      sampledPeakRss: number;
      /** VmHWM of /proc/self/status: the true peak of this process, which did nothing else; 0 where unknown */
      hwmRss: number;
      rssBefore: number;
      /** batches applied (progress calls after the first) */
      batches: number;
    }
  | { type: 'failed'; error: string };

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) {
      process.stdout.write(`${JSON.stringify(message)}\n`);
      resolve();
      return;
    }
    process.send(message, () => resolve());
  });
}

/** peak resident set of this process so far (Linux), in bytes; 0 elsewhere */
function highWaterMark(): number {
  try {
    const line = readFileSync('/proc/self/status', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmHWM:'));
    return line ? Number(line.split(/\s+/)[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

async function raw(eventsFile: string): Promise<ChildMessage> {
  const store = new SqliteEventStore({ filename: eventsFile, synchronous: 'NORMAL' });
  try {
    return { type: 'raw', ...(await scanLog(store)) };
  } finally {
    await store.close();
  }
}

async function rebuild(eventsFile: string, readModelsFile: string): Promise<ChildMessage> {
  const store = new SqliteEventStore({ filename: eventsFile, synchronous: 'NORMAL' });
  const db = openSqliteReadModelDb(readModelsFile);
  try {
    // as `npm run projections -- rebuild`: the runner's default batches
    const runner = new ProjectionRunner({ store, db, projections: allProjections() });
    const rssBefore = process.memoryUsage().rss;
    let sampledPeakRss = rssBefore;
    const sample = () => {
      sampledPeakRss = Math.max(sampledPeakRss, process.memoryUsage().rss);
    };
    const sampler = setInterval(sample, 25);
    let batches = 0;
    const cpu = process.cpuUsage();
    const started = performance.now();
    let result;
    try {
      result = await runner.rebuild(undefined, () => {
        batches++;
        sample();
      });
    } finally {
      clearInterval(sampler);
    }
    const seconds = (performance.now() - started) / 1000;
    sample();
    return {
      type: 'rebuilt',
      events: result.events,
      seconds,
      cpuSeconds: cpuSeconds(cpu),
      sampledPeakRss,
      hwmRss: highWaterMark(),
      rssBefore,
      batches: batches - 1,
    };
  } finally {
    await db.destroy();
    await store.close();
  }
}

async function prepare(dir: string, days: number, perDay: number, seed: string, start: string): Promise<ChildMessage> {
  // the application only now: the other modes do without Nest
  const pino = (await import('pino')).default;
  const { createApp } = await import('../apps/api/src/create-app');
  const { runDemo } = await import('../apps/api/src/demo/demo-runner');
  const { shanghaiMidnight } = await import('../apps/api/src/demo/sim-time');
  const { loadConfig } = await import('../apps/api/src/platform/config');
  const { PROJECTION_HOST } = await import('../apps/api/src/read-models/read-models.module');
  const config = loadConfig({ DATA_DIR: dir, COMPLAINTS_TEST_CLOCK: '1', LOG_LEVEL: 'silent', NODE_ENV: 'test', SQLITE_SYNCHRONOUS: 'NORMAL' });
  const app = await createApp(config, { logger: pino({ level: 'silent' }) });
  await app.init();
  try {
    // The read models would follow every small commit; the benchmark builds them itself.
    await app.get<ProjectionHost>(PROJECTION_HOST, { strict: false }).stop();
    const started = performance.now();
    let lastDay = 0;
    const summary = await runDemo(app, {
      days,
      perDay,
      seed,
      start: shanghaiMidnight(start) as number,
      onProgress: (p) => {
        const day = Math.floor(p.daysElapsed);
        if (day <= lastDay) return;
        lastDay = day;
        const elapsed = (performance.now() - started) / 1000;
        process.stdout.write(`[d] demo day ${day}/${days}: ${p.events.toLocaleString('en-US')} events, ${Math.round(p.events / elapsed).toLocaleString('en-US')} events/s\n`);
      },
    });
    return { type: 'prepared', events: summary.events, complaints: summary.complaints, commands: summary.commands, seconds: (performance.now() - started) / 1000 };
  } finally {
    await app.close();
  }
}

async function main(): Promise<ChildMessage> {
  const [mode, ...args] = process.argv.slice(2);
  switch (mode) {
    case 'prepare':
      return prepare(args[0], Number(args[1]), Number(args[2]), args[3], args[4]);
    case 'raw':
      return raw(args[0]);
    case 'rebuild':
      return rebuild(args[0], args[1]);
    default:
      throw new Error(`read-models-child: unknown mode ${mode}`);
  }
}

function run(): Promise<void> {
  return main().then(
    async (message) => {
      await send(message);
      process.exit(0);
    },
    async (error: unknown) => {
      await send({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      process.exit(1);
    },
  );
}

// also imported (for its types and constants) by read-models.bench.ts: only a forked child runs
if (require.main === module) void run();
