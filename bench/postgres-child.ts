/**
 * The rebuild part of benchmark (g) that runs in a process of its own (as
 * (d)'s read-models-child.ts does for SQLite). Started with fork() by
 * postgres.bench.ts; answers with one IPC message and exits.
 *
 *   raw <url> <log schema>                          the paged PostgresEventStore.readAll scan of the whole log
 *   rebuild <url> <log schema> <read-model schema>  every projection rebuilt into a new schema
 */
import { readFileSync } from 'fs';
import { performance } from 'perf_hooks';
import { PostgresEventStore } from '@complaints/event-store';
import { openPostgresReadModelDb, ProjectionRunner } from '@complaints/read-models';
import { allProjections } from '@complaints/read-models/projections';
import { cpuSeconds, scanLog } from './log-scan';

export type PostgresChildMessage =
  | { type: 'raw'; events: number; seconds: number; cpuSeconds: number; pages: number }
  | { type: 'rebuilt'; events: number; seconds: number; cpuSeconds: number; peakRss: number; batches: number }
  | { type: 'failed'; error: string };

function send(message: PostgresChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) {
      process.stdout.write(`${JSON.stringify(message)}\n`);
      resolve();
      return;
    }
    process.send(message, () => resolve());
  });
}

/** peak resident set of this process so far (Linux), in bytes; the last sample elsewhere */
function highWaterMark(fallback: number): number {
  try {
    const line = readFileSync('/proc/self/status', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmHWM:'));
    return line ? Number(line.split(/\s+/)[1]) * 1024 : fallback;
  } catch {
    return fallback;
  }
}

/** the log as the server opens it, without LISTEN (nothing is appended) */
const openLog = (url: string, schema: string) => PostgresEventStore.open({ connectionString: url, schema, listen: false, poolSize: 2 });

async function raw(url: string, schema: string): Promise<PostgresChildMessage> {
  const store = await openLog(url, schema);
  try {
    return { type: 'raw', ...(await scanLog(store)) };
  } finally {
    await store.close();
  }
}

async function rebuild(url: string, logSchema: string, readModelSchema: string): Promise<PostgresChildMessage> {
  const store = await openLog(url, logSchema);
  const db = await openPostgresReadModelDb({ connectionString: url, schema: readModelSchema });
  try {
    // as `npm run projections -- rebuild`: the runner's default batches
    const runner = new ProjectionRunner({ store, db, projections: allProjections() });
    let sampled = process.memoryUsage().rss;
    const sampler = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage().rss)), 25);
    let batches = 0;
    const cpu = process.cpuUsage();
    const started = performance.now();
    let result;
    try {
      result = await runner.rebuild(undefined, () => batches++);
    } finally {
      clearInterval(sampler);
    }
    await runner.stop();
    return { type: 'rebuilt', events: result.events, seconds: (performance.now() - started) / 1000, cpuSeconds: cpuSeconds(cpu), peakRss: highWaterMark(sampled), batches: batches - 1 };
  } finally {
    await db.destroy();
    await store.close();
  }
}

async function main(): Promise<PostgresChildMessage> {
  const [mode, ...args] = process.argv.slice(2);
  switch (mode) {
    case 'raw':
      return raw(args[0], args[1]);
    case 'rebuild':
      return rebuild(args[0], args[1], args[2]);
    default:
      throw new Error(`postgres-child: unknown mode ${mode}`);
  }
}

if (require.main === module) {
  void main().then(
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
