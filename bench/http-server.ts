/**
 * A server for the HTTP benchmark, in its own process so that autocannon's
 * load generation does not share its event loop. Started with fork() by
 * http.bench.ts; tells the parent its URL over IPC and stops on 'stop'.
 *
 *   --mode app   the real API: createApp + listen on 127.0.0.1:0
 *   --mode raw   a bare Fastify (the one Nest uses) whose POST /api/complaints
 *                inserts the same row with raw better-sqlite3, one row per
 *                transaction
 */
import Fastify from 'fastify';
import { join } from 'path';
import { performance } from 'perf_hooks';
import pino from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { BODY_LIMIT_BYTES, createApp } from '../apps/api/src/create-app';
import { loadConfig } from '../apps/api/src/platform/config';
import { RegisterBody, registeredRow } from './payload';
import { RawEventTable } from './raw-table';

export type ServerMode = 'app' | 'raw';

export type ServerMessage =
  | { type: 'listening'; url: string }
  | { type: 'failed'; error: string }
  /** the answer to 'cpu': user + system CPU time of this process so far, and its event loop's idle and active time (ms) */
  | { type: 'cpu'; micros: number; idle: number; active: number };

function arg(name: string): string {
  const i = process.argv.indexOf(name);
  const value = i >= 0 ? process.argv[i + 1] : undefined;
  if (value === undefined) throw new Error(`http-server needs ${name}`);
  return value;
}

async function startApp(dir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', NODE_ENV: 'test', SQLITE_SYNCHRONOUS: 'FULL' });
  const app = await createApp(config, { logger: pino({ level: 'silent' }) });
  await app.listen(0, '127.0.0.1');
  return { url: await app.getUrl(), stop: () => app.close() };
}

async function startRaw(dir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const table = new RawEventTable(join(dir, 'raw-http.sqlite'), 'FULL');
  const server = Fastify({ logger: false, bodyLimit: BODY_LIMIT_BYTES });
  server.post<{ Body: RegisterBody }>('/api/complaints', async (request, reply) => {
    const complaintId = uuidv7();
    const row = registeredRow(complaintId, uuidv7(), request.body, new Date().toISOString());
    const position = table.insertOne(row);
    reply.code(201).header('etag', '"1"').header('location', `/api/complaints/${complaintId}`);
    return { id: complaintId, revision: 1, position, ...JSON.parse(row.data) };
  });
  const url = await server.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    stop: async () => {
      await server.close();
      table.close();
    },
  };
}

async function main(): Promise<void> {
  const mode = arg('--mode') as ServerMode;
  const dir = arg('--dir');
  const server = mode === 'app' ? await startApp(dir) : mode === 'raw' ? await startRaw(dir) : undefined;
  if (!server) throw new Error(`unknown --mode ${mode}`);
  process.on('message', (message) => {
    if (message === 'cpu') {
      const { user, system } = process.cpuUsage();
      const { idle, active } = performance.eventLoopUtilization();
      process.send?.({ type: 'cpu', micros: user + system, idle, active } satisfies ServerMessage);
      return;
    }
    if (message !== 'stop') return;
    // exit normally (not a signal) so that --cpu-prof writes its profile
    server.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
  // the parent died: do not linger
  process.on('disconnect', () => process.exit(0));
  process.send?.({ type: 'listening', url: server.url } satisfies ServerMessage);
}

main().catch((error: unknown) => {
  process.send?.({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies ServerMessage);
  process.exit(1);
});
