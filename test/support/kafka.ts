import Database from 'better-sqlite3';
import { ChildProcess, spawn, spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'fs';
import { Consumer, IHeaders, Kafka, logLevel, Partitioners, Producer } from 'kafkajs';
import { createServer } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';

/**
 * The Kafka tests run against a real broker, never a mock, and never skip.
 *
 * - The shared broker of `npm run kafka:start` (127.0.0.1:9092, or
 *   KAFKA_TEST_BROKERS): `.ci/run` starts it before `npm test`; when it does
 *   not answer, a test starts it (tools/kafka/kafka.js start: fetched once,
 *   then a few seconds) and leaves it running for the next test files and
 *   runs (`npm run kafka:stop` stops it). Under CI (CI set) nothing is
 *   started: a broker that does not answer there fails the tests.
 * - Each test run uses topics of its own (KAFKA_TOPIC_PREFIX), so runs never
 *   see each other's messages and nothing needs a reset.
 * - The test that stops and restarts a broker runs a private one (its own
 *   ports and data under a temporary folder, the cached jars), so the shared
 *   broker stays up for the other tests.
 */

const ROOT = join(__dirname, '..', '..');
const KAFKA_TOOL = join(ROOT, 'tools', 'kafka', 'kafka.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain JavaScript of tools/kafka
const { probe } = require('../../tools/kafka/probe') as { probe: (o: { host?: string; port: number; timeoutMs?: number }) => Promise<{ ok: boolean; reason?: string }> };

export const SHARED_BROKER = process.env.KAFKA_TEST_BROKERS ?? '127.0.0.1:9092';

/** Resolves once the shared broker answers; starts it outside CI. Throws (the test fails) when it cannot be had. */
export async function ensureSharedBroker(): Promise<string> {
  const [host, port] = SHARED_BROKER.split(',')[0].split(':');
  const answer = await probe({ host, port: Number(port), timeoutMs: 3000 });
  if (answer.ok) return SHARED_BROKER;
  if (process.env.CI) {
    throw new Error(`no Kafka broker answers on ${SHARED_BROKER} (${answer.reason}); .ci/run starts one with npm run kafka:start before npm test`);
  }
  if (process.env.KAFKA_TEST_BROKERS) throw new Error(`no Kafka broker answers on KAFKA_TEST_BROKERS=${SHARED_BROKER} (${answer.reason})`);
  const started = spawnSync(process.execPath, [KAFKA_TOOL, 'start'], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
  if (started.status !== 0) throw new Error(`the Kafka broker could not be started for the tests:\n${started.stdout}${started.stderr}`);
  process.stderr.write(`${started.stdout.trim()}\n(started for the Kafka tests and left running; npm run kafka:stop stops it)\n`);
  return SHARED_BROKER;
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A prefix of topics no other run uses. */
export function uniquePrefix(name: string): string {
  return `test.${name}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}.`;
}

/** A broker of one test: its own ports, data and pid file, the jars that `kafka:start` cached. */
export class PrivateBroker {
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  static async create(): Promise<PrivateBroker> {
    await ensureSharedBroker(); // fetches the jars on a fresh clone
    const dir = mkdtempSync(join(tmpdir(), 'complaints-kafka-'));
    const version = process.env.KAFKA_VERSION ?? '4.4.0';
    mkdirSync(dir, { recursive: true });
    symlinkSync(join(ROOT, '.cache', 'kafka', version), join(dir, version));
    const port = await freePort();
    let controller = await freePort();
    while (controller === port) controller = await freePort();
    const env = { ...process.env, KAFKA_CACHE_DIR: dir, KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(controller), KAFKA_CDS: '0' };
    return new PrivateBroker(dir, port, env);
  }

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  start(): void {
    this.run('start');
  }

  stop(): void {
    this.run('stop');
  }

  /** stops it and removes its data */
  destroy(): void {
    try {
      this.stop();
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  private run(command: string): void {
    const result = spawnSync(process.execPath, [KAFKA_TOOL, command], { cwd: ROOT, env: this.env, encoding: 'utf8', timeout: 180_000 });
    if (result.status !== 0) throw new Error(`kafka.js ${command} failed:\n${result.stdout}${result.stderr}`);
  }
}

export function kafkaClient(brokers: string): Kafka {
  return new Kafka({ clientId: 'complaints-tests', brokers: brokers.split(','), logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 200, maxRetryTime: 2_000 } });
}

export async function testProducer(brokers: string): Promise<Producer> {
  const producer = kafkaClient(brokers).producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 2_000 },
  });
  await producer.connect();
  return producer;
}

export interface ReadMessage {
  key: string | undefined;
  value: string;
  headers: Record<string, string>;
  partition: number;
  offset: string;
}

function headersOf(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.map(String).join(',') : String(value);
  }
  return out;
}

/** Reads `topic` from the start with a group of its own until `done` says enough (or the time is up: then it throws). */
export async function readTopic(brokers: string, topic: string, done: (messages: ReadMessage[]) => boolean, timeoutMs = 60_000): Promise<ReadMessage[]> {
  const consumer: Consumer = kafkaClient(brokers).consumer({ groupId: `reader-${Date.now()}-${Math.random().toString(36).slice(2)}` });
  const messages: ReadMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${topic}: only ${messages.length} messages after ${timeoutMs} ms`)), timeoutMs);
      if (done(messages)) {
        clearTimeout(timer);
        resolve();
        return;
      }
      consumer
        .run({
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) {
              messages.push({ key: m.key?.toString(), value: m.value?.toString() ?? '', headers: headersOf(m.headers), partition: batch.partition, offset: m.offset });
            }
            if (done(messages)) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

/** The registrations in a server's event log: how many, and how many distinct tickets (externalRef). */
export function registrationsIn(dataDir: string): { events: number; tickets: number } {
  const db = new Database(join(dataDir, 'events.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare(`SELECT COUNT(*) AS events, COUNT(DISTINCT json_extract(data, '$.externalRef')) AS tickets FROM events WHERE type = 'ComplaintRegistered'`)
      .get() as { events: number; tickets: number };
    return row;
  } catch (error) {
    if (/no such table/.test((error as Error).message)) return { events: 0, tickets: 0 };
    throw error;
  } finally {
    db.close();
  }
}

/** The compiled server (`npm test` builds first) in a child process, so that a test can SIGKILL it. */
export class ServerProcess {
  private output = '';

  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(env: Record<string, string>, port: number): Promise<ServerProcess> {
    const child = spawn(process.execPath, ['-r', './tools/register-paths.js', 'dist/apps/api/src/main.js'], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'test', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const server = new ServerProcess(child, `http://127.0.0.1:${port}`);
    const started = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the server did not start:\n${server.output}`)), 60_000);
      const onData = (chunk: Buffer) => {
        server.output = (server.output + chunk.toString()).slice(-20_000);
        if (server.output.includes('listening on')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the server exited (${code ?? signal}):\n${server.output}`));
      });
    });
    try {
      await started;
    } catch (error) {
      await server.kill();
      throw error;
    }
    child.stdout!.on('data', (chunk: Buffer) => (server.output = (server.output + chunk.toString()).slice(-20_000)));
    return server;
  }

  get log(): string {
    return this.output;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill(signal);
    });
  }

  async get(path: string): Promise<{ status: number; text: string }> {
    const response = await fetch(`${this.url}${path}`);
    return { status: response.status, text: await response.text() };
  }
}

/** Polls `check` until it is true; throws with `describe()` after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs: number, describe: () => string, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
