/**
 * (f) The 10086 integration over a real Kafka broker (issue 5, item 7).
 *
 * 1. End to end: N valid 10086 messages wait on a topic of this run; the real
 *    server (dist/apps/api/src/main.js, a child process, SQLITE_SYNCHRONOUS=FULL,
 *    a fresh DATA_DIR, a consumer group of its own) registers them. Timed from
 *    the instant its consumer runs (its log line after kafkajs joined the
 *    group) to the first poll (every 25 ms) that counts N events in its event
 *    log; then until its committed offsets reach the end of the topic.
 *    Baseline, same run: a bare kafkajs consumer in a child process reading
 *    the same messages and inserting the same rows with raw better-sqlite3,
 *    one per transaction (bench/kafka-raw-consumer.ts), timed the same way.
 * 2. The relay: the server starts again on the log of step 1 with no relay
 *    checkpoint and topics of its own, so its relay publishes the whole log
 *    from position 0. Timed from its log line "relaying … from position 0" to
 *    the checkpoint write that reaches the head of the log (updated_at of the
 *    checkpoint row). Baseline, same run: a plain kafkajs producer, in a fresh
 *    child process too (bench/kafka-raw-producer.ts), with the same settings
 *    (idempotentProducer: idempotent, acks -1, one request in flight, the Java
 *    partitioner) sending the same messages (the keys, values and headers
 *    complaintEventMessage makes of the same events), built before the clock
 *    starts, RAW_SEND_SIZE per request, timed from its connect to the last
 *    acknowledgement.
 *
 * The broker is the shared one of `npm run kafka:start` (127.0.0.1:9092, or
 * BENCH_KAFKA_BROKERS): used as found, started here when it does not answer
 * and then left running, as the Kafka tests do (test/support/kafka.ts):
 * never stopped or restarted by the benchmark, since others may use it.
 * Every topic of the run is under one prefix (KAFKA_TOPIC_PREFIX) and
 * deleted at the end.
 */
import Database from 'better-sqlite3';
import { ChildProcess, fork, spawn, spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { Admin, Kafka, logLevel, Message } from 'kafkajs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { performance } from 'perf_hooks';
import { callcenterTraffic } from '../apps/api/src/kafka/callcenter-traffic';
import { idempotentProducer } from '../apps/api/src/kafka/kafka-client';
import { kafkaTopics, KafkaTopics } from '../apps/api/src/kafka/kafka-topics';
import type { RawConsumerMessage } from './kafka-raw-consumer';
import { RAW_SEND_SIZE, RawProducerMessage, readLog, relayMessages } from './kafka-raw-producer';
import { BenchOptions } from './options';
import { startNodeOptions } from './start-node-options';
import { summariseProfiles } from './profile';
import { BenchResult } from './result';
import { fmt, fmtInt, listRounds, log, median, sleep } from './stats';

const ROOT = resolve(__dirname, '..', '..');
const REGISTER_PATHS = join(ROOT, 'tools', 'register-paths.js');
const KAFKA_TOOL = join(ROOT, 'tools', 'kafka', 'kafka.js');
const SERVER_MAIN = join(ROOT, 'dist', 'apps', 'api', 'src', 'main.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain JavaScript of tools/kafka
const { probe } = require(join(ROOT, 'tools', 'kafka', 'probe.js')) as { probe: (o: { host?: string; port: number; timeoutMs?: number }) => Promise<{ ok: boolean; reason?: string }> };

const DEFAULT_BROKERS = '127.0.0.1:9092';
const PARTITIONS = 3;
const POLL_MS = 25;
const TARGETS = { registeredPerSecond: 2000, relayRatio: 0.5 };

/** the monotonic clock of CPU profiles (microseconds) at a wall-clock instant of the recent past */
function monotonicAt(wallMs: number): number {
  return Number(process.hrtime.bigint() / 1000n) - (Date.now() - wallMs) * 1000;
}

/** what a server's CPU profiles should be summarised over: the measured interval */
interface ProfiledWindow {
  name: string;
  from: number;
  to: number;
}
const profiled: ProfiledWindow[] = [];

function summariseServerProfiles(profileDir: string): void {
  for (const window of profiled) {
    const dir = join(profileDir, `f-${window.name}`);
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
      const thread = file.split('.')[4] === '0' ? 'main thread' : `worker thread ${file.split('.')[4]}`;
      log(`[f] ${window.name}, ${thread} (${join(dir, file)}), the measured ${fmt((window.to - window.from) / 1e6, 2)} s only; top self time:`);
      for (const line of summariseProfiles(dir, file, 20, window)) log(`[f]   ${line}`);
    }
  }
}

// ── the broker ───────────────────────────────────────────────────────────

interface Broker {
  brokers: string;
  startedHere: boolean;
}

async function ensureBroker(): Promise<Broker> {
  const brokers = process.env.BENCH_KAFKA_BROKERS ?? DEFAULT_BROKERS;
  const [host, port] = brokers.split(',')[0].split(':');
  const answer = await probe({ host, port: Number(port), timeoutMs: 3000 });
  if (answer.ok) return { brokers, startedHere: false };
  if (brokers !== DEFAULT_BROKERS) throw new Error(`no Kafka broker answers on BENCH_KAFKA_BROKERS=${brokers} (${answer.reason})`);
  log(`[f] no broker answers on ${brokers} (${answer.reason}): starting it (npm run kafka:start)`);
  const started = spawnSync(process.execPath, [KAFKA_TOOL, 'start'], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
  if (started.status !== 0) throw new Error(`the Kafka broker could not be started:\n${started.stdout}${started.stderr}`);
  log(`[f] ${started.stdout.trim().split('\n').pop()}`);
  return { brokers, startedHere: true };
}

/**
 * Creates the topics and waits until each partition has a leader. kafkajs's
 * own waitForLeaders gives up on "This server does not host this
 * topic-partition", which a broker that has just started answers for a
 * moment about a topic it has just created.
 */
async function createTopics(admin: Admin, topics: readonly string[]): Promise<void> {
  await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: PARTITIONS, replicationFactor: 1 })), waitForLeaders: false });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [...topics] });
      if (metadata.topics.length === topics.length && metadata.topics.every((t) => t.partitions.length === PARTITIONS && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (error) {
      if (!(error as { retriable?: boolean }).retriable) throw error;
    }
    if (Date.now() > deadline) throw new Error(`the topics ${topics.join(', ')} have no leaders 60 s after they were created`);
    await sleep(100);
  }
}

/** messages on a topic: the sum of its partitions' high watermarks (the topics of a run are never compacted or trimmed) */
async function topicSize(admin: Admin, topic: string): Promise<number> {
  return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
}

/** what a group has committed on a topic, summed over the partitions (-1: nothing yet counts as 0) */
async function committed(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return (entry?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}

// ── processes ────────────────────────────────────────────────────────────

/** user + system CPU seconds of a process and its threads so far (Linux), else NaN */
function cpuSecondsOf(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

interface ThreadCpu {
  name: string;
  /** on a CPU */
  seconds: number;
  /** runnable, waiting for a CPU (/proc/…/schedstat), NaN when unknown */
  waiting: number;
}

/** CPU seconds of each thread of a process (Linux), by thread id, with the thread's name */
function threadCpuOf(pid: number | undefined): Map<number, ThreadCpu> {
  const threads = new Map<number, ThreadCpu>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      let waiting = NaN;
      try {
        waiting = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1]) / 1e9;
      } catch {
        // no schedstats in this kernel
      }
      threads.set(Number(tid), { name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), seconds: (Number(fields[11]) + Number(fields[12])) / 100, waiting });
    }
  } catch {
    // not Linux, or the process is gone
  }
  return threads;
}

/** "main thread 0.97, WorkerThread 0.41, others 0.12 cores" between two readings over `seconds` */
function threadCores(pid: number | undefined, before: Map<number, ThreadCpu>, after: Map<number, ThreadCpu>, seconds: number): string {
  let main = 0;
  let mainWaiting = NaN;
  const others: number[] = [];
  for (const [tid, t] of after) {
    const used = t.seconds - (before.get(tid)?.seconds ?? 0);
    if (tid === pid) {
      main = used;
      mainWaiting = t.waiting - (before.get(tid)?.waiting ?? NaN);
    } else if (used / seconds >= 0.01) others.push(used / seconds);
  }
  others.sort((a, b) => b - a);
  const waiting = Number.isFinite(mainWaiting) ? ` (runnable but waiting for a CPU ${fmt(100 * (mainWaiting / seconds), 0)}% of the time)` : '';
  // node names every thread "node": the busiest other one is the projection worker, the rest mostly V8's GC and compiler threads
  return `main thread ${fmt(main / seconds)}${waiting}; other threads ${others.map((c) => fmt(c)).join(' + ') || '0'} cores`;
}

/** busy share of the whole machine from /proc/stat, between two readings */
function machineTicks(): { busy: number; total: number } {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - f[3] - f[4], total };
  } catch {
    return { busy: NaN, total: NaN };
  }
}

/** The compiled server of `npm start` in a child process, its JSON log lines kept. */
class Server {
  private lines: { time: number; msg: string; level: number }[] = [];
  private tail = '';
  private partial = '';

  private constructor(readonly child: ChildProcess) {}

  static start(env: Record<string, string>, profileDir: string | undefined, name: string): Server {
    // BENCH_F_NODE_ARGS: node options for the server child, to try one (as BENCH_E_NODE_ARGS in (e))
    const execArgv = [...startNodeOptions(), '-r', REGISTER_PATHS, ...(process.env.BENCH_F_NODE_ARGS ?? '').split(' ').filter(Boolean)];
    // a directory per server: node names each thread's profile (CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile)
    if (profileDir) execArgv.push('-r', join(__dirname, 'exit-on-signal.js'), '--cpu-prof', '--cpu-prof-dir', join(profileDir, `f-${name}`));
    const child = spawn(process.execPath, [...execArgv, SERVER_MAIN], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const server = new Server(child);
    // BENCH_F_SERVER_LOG=DIR: each server's whole output into DIR/<name>.log, to look into a run
    const logDir = process.env.BENCH_F_SERVER_LOG;
    if (logDir) {
      mkdirSync(logDir, { recursive: true });
      const file = createWriteStream(join(logDir, `${name}.log`));
      child.stdout!.pipe(file);
    }
    child.stdout!.on('data', (chunk: Buffer) => server.take(chunk.toString('utf8')));
    child.stderr!.on('data', (chunk: Buffer) => (server.tail = (server.tail + chunk.toString('utf8')).slice(-10_000)));
    return server;
  }

  private take(text: string): void {
    this.tail = (this.tail + text).slice(-10_000);
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      try {
        const entry = JSON.parse(line) as { time?: string; msg?: string; level?: number };
        if (entry.msg !== undefined) this.lines.push({ time: Date.parse(entry.time ?? ''), msg: entry.msg, level: entry.level ?? 0 });
      } catch {
        // not a log line
      }
    }
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** the time of the first log line matching `pattern`, once it is there */
  async logged(pattern: RegExp, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.lines.find((l) => pattern.test(l.msg));
      if (line) return line.time;
      if (!this.running) throw new Error(`the server exited (${this.child.exitCode ?? this.child.signalCode}) before logging ${pattern}:\n${this.tail}`);
      if (Date.now() > deadline) throw new Error(`the server did not log ${pattern} within ${timeoutMs} ms:\n${this.tail}`);
      await sleep(POLL_MS);
    }
  }

  /** warnings and errors it logged (level >= 40) */
  problems(): string[] {
    return this.lines.filter((l) => l.level >= 40).map((l) => l.msg);
  }

  get output(): string {
    return this.tail;
  }

  cpuSeconds(): number {
    return cpuSecondsOf(this.child.pid);
  }

  /** SIGTERM (the server shuts down as under an orchestrator), SIGKILL after 30 s */
  async stop(): Promise<void> {
    if (!this.running) return;
    const exited = new Promise<void>((ok) => this.child.once('exit', () => ok()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
}

function serverEnv(brokers: string, prefix: string, groupId: string, dataDir: string, port: number): Record<string, string> {
  return {
    NODE_ENV: 'production',
    JWT_SECRET: randomBytes(32).toString('hex'),
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'info',
    DATA_DIR: dataDir,
    SQLITE_SYNCHRONOUS: 'FULL',
    KAFKA_BROKERS: brokers,
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_GROUP_ID: groupId,
  };
}

async function freePort(): Promise<number> {
  const { createServer } = await import('net');
  return new Promise((ok) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}

/** rows of the events table of an SQLite file, or 0 before the file and the table exist */
function countRows(file: string, where = ''): number {
  if (!existsSync(file)) return 0;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare<[], number>(`SELECT COUNT(*) FROM events ${where}`).pluck().get() ?? 0;
  } catch (error) {
    if (/no such table/.test((error as Error).message)) return 0;
    throw error;
  } finally {
    db.close();
  }
}

/** Polls until `file` holds `n` events; resolves with the instant (Date.now()) of the poll that saw them, and when it first saw half of them. */
async function untilRows(file: string, n: number, timeoutMs: number, alive: () => void): Promise<{ doneAt: number; halfAt: number; halfCount: number }> {
  const deadline = Date.now() + timeoutMs;
  // one connection for the whole wait: opening the file every 25 ms would cost more than the count
  while (!existsSync(file)) {
    alive();
    if (Date.now() > deadline) throw new Error(`${file} was not created within ${timeoutMs} ms`);
    await sleep(POLL_MS);
  }
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    let count: Database.Statement<[], number> | undefined;
    let seen = 0;
    let halfAt: number | undefined;
    let halfCount = 0;
    for (;;) {
      try {
        count ??= db.prepare<[], number>('SELECT COUNT(*) FROM events').pluck();
        seen = count.get() ?? 0;
      } catch (error) {
        if (!/no such table/.test((error as Error).message)) throw error;
      }
      if (halfAt === undefined && seen >= n / 2) {
        halfAt = Date.now();
        halfCount = seen;
      }
      if (seen >= n) return { doneAt: Date.now(), halfAt: halfAt ?? Date.now(), halfCount };
      alive();
      if (Date.now() > deadline) throw new Error(`${file}: ${seen} of ${n} events after ${timeoutMs} ms`);
      await sleep(POLL_MS);
    }
  } finally {
    db.close();
  }
}

// ── 1. end to end ────────────────────────────────────────────────────────

interface E2eRound {
  rate: number;
  seconds: number;
  /** the rate of the second half alone (from the poll that counted N/2), once the process is warm */
  secondHalfRate: number;
  /** from the consumer's start to every offset committed */
  committedSeconds: number;
  cpuCores: number;
  machineBusy: number;
}

async function rawConsumerRound(brokers: string, topic: string, groupId: string, n: number, admin: Admin): Promise<E2eRound> {
  const dir = mkdtempSync(join(tmpdir(), 'complaints-bench-f-raw-'));
  const file = join(dir, 'raw-kafka.sqlite');
  const child = fork(join(__dirname, 'kafka-raw-consumer.js'), [brokers, topic, groupId, file], { execArgv: ['-r', REGISTER_PATHS], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const startedAt = await new Promise<number>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error('the raw consumer did not start within 60 s')), 60_000);
      child.once('message', (message: RawConsumerMessage) => {
        clearTimeout(timer);
        if (message.type === 'started') ok(message.at);
        else fail(new Error(message.type === 'failed' ? `the raw consumer failed:\n${message.error}` : 'the raw consumer finished before it started'));
      });
      child.once('exit', (code) => fail(new Error(`the raw consumer exited with ${code}`)));
    });
    const cpu0 = cpuSecondsOf(child.pid);
    const m0 = machineTicks();
    const { doneAt, halfAt, halfCount } = await untilRows(file, n, 900_000, () => {
      if (child.exitCode !== null) throw new Error(`the raw consumer exited with ${child.exitCode}`);
    });
    const cpu = cpuSecondsOf(child.pid) - cpu0;
    const m1 = machineTicks();
    const committedAt = await untilCommitted(admin, groupId, topic, n, 60_000);
    const seconds = (doneAt - startedAt) / 1000;
    return {
      rate: n / seconds,
      seconds,
      secondHalfRate: (n - halfCount) / ((doneAt - halfAt) / 1000),
      committedSeconds: (committedAt - startedAt) / 1000,
      cpuCores: cpu / seconds,
      machineBusy: (m1.busy - m0.busy) / (m1.total - m0.total),
    };
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise((ok) => child.once('exit', ok));
      child.send('stop');
      await Promise.race([exited, sleep(15_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** kafkajs alone: a consumer in a child process that only parses each message, from its start to the n-th */
async function rawConsumeRate(brokers: string, topic: string, groupId: string, n: number): Promise<number> {
  const child = fork(join(__dirname, 'kafka-raw-consumer.js'), [brokers, topic, groupId, '--count', String(n)], { execArgv: ['-r', REGISTER_PATHS], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const times = await new Promise<{ started: number; done: number }>((ok, fail) => {
      let started = NaN;
      const timer = setTimeout(() => fail(new Error('the counting consumer did not finish within 300 s')), 300_000);
      child.on('message', (message: RawConsumerMessage) => {
        if (message.type === 'started') started = message.at;
        else if (message.type === 'done') {
          clearTimeout(timer);
          ok({ started, done: message.at });
        } else fail(new Error(`the counting consumer failed:\n${message.error}`));
      });
      child.once('exit', (code) => fail(new Error(`the counting consumer exited with ${code}`)));
    });
    return n / ((times.done - times.started) / 1000);
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise((ok) => child.once('exit', ok));
      child.send('stop');
      await Promise.race([exited, sleep(15_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }
}

async function untilCommitted(admin: Admin, groupId: string, topic: string, n: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const offsets = await committed(admin, groupId, topic);
    if (offsets >= n) return Date.now();
    if (Date.now() > deadline) throw new Error(`group ${groupId} committed ${offsets} of ${n} offsets within ${timeoutMs} ms of the last registration`);
    await sleep(POLL_MS * 2);
  }
}

interface SystemE2eRound extends E2eRound {
  /** the server's CPU by thread over the measured interval */
  threads: string;
  /** group commits of the event store that wrote the registrations */
  commits: number;
  dataDir: string;
  problems: string[];
}

async function systemConsumerRound(brokers: string, prefix: string, groupId: string, n: number, admin: Admin, profileDir: string | undefined, name: string): Promise<SystemE2eRound> {
  const topics = kafkaTopics(prefix);
  const dataDir = mkdtempSync(join(tmpdir(), 'complaints-bench-f-system-'));
  const server = Server.start(serverEnv(brokers, prefix, groupId, dataDir, await freePort()), profileDir, name);
  try {
    const startedAt = await server.logged(/^consuming /, 120_000);
    const cpu0 = server.cpuSeconds();
    const threads0 = threadCpuOf(server.child.pid);
    const m0 = machineTicks();
    const { doneAt, halfAt, halfCount } = await untilRows(join(dataDir, 'events.sqlite'), n, 900_000, () => {
      if (!server.running) throw new Error(`the server exited:\n${server.output}`);
    });
    const cpu = server.cpuSeconds() - cpu0;
    const threads = threadCores(server.child.pid, threads0, threadCpuOf(server.child.pid), (doneAt - startedAt) / 1000);
    const m1 = machineTicks();
    if (profileDir) profiled.push({ name, from: monotonicAt(startedAt), to: monotonicAt(doneAt) });
    const committedAt = await untilCommitted(admin, groupId, topics.callcenterComplaints, n, 60_000);
    const seconds = (doneAt - startedAt) / 1000;
    const problems = server.problems();
    await server.stop();
    // every ticket once, and nothing else
    const registered = countRows(join(dataDir, 'events.sqlite'), `WHERE type = 'ComplaintRegistered'`);
    const all = countRows(join(dataDir, 'events.sqlite'));
    const db = new Database(join(dataDir, 'events.sqlite'), { readonly: true });
    const tickets = db.prepare<[], number>(`SELECT COUNT(DISTINCT json_extract(data, '$.externalRef')) FROM events WHERE type = 'ComplaintRegistered'`).pluck().get() ?? 0;
    // the store gives every append of one group commit the same recorded_at
    const commits = db.prepare<[], number>('SELECT COUNT(DISTINCT recorded_at) FROM events').pluck().get() ?? 0;
    db.close();
    if (registered !== n || tickets !== n || all !== n) throw new Error(`the server's log holds ${all} events, ${registered} registrations of ${tickets} tickets; ${n} expected`);
    return {
      rate: n / seconds,
      seconds,
      secondHalfRate: (n - halfCount) / ((doneAt - halfAt) / 1000),
      committedSeconds: (committedAt - startedAt) / 1000,
      cpuCores: cpu / seconds,
      machineBusy: (m1.busy - m0.busy) / (m1.total - m0.total),
      threads,
      commits,
      dataDir,
      problems,
    };
  } catch (error) {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** N valid tickets of the simulator onto the input topic, sent RAW_SEND_SIZE at a time; returns the seconds it took */
async function produceTickets(kafka: Kafka, topic: string, n: number, ticketPrefix: string): Promise<{ seconds: number; bytes: number }> {
  const messages: Message[] = [];
  let bytes = 0;
  for (const m of callcenterTraffic({ count: n, duplicates: 0, malformed: 0, ticketPrefix, seed: ticketPrefix })) {
    messages.push({ key: m.key, value: m.value, headers: { source: 'bench-f' } });
    bytes += Buffer.byteLength(m.value);
  }
  const producer = idempotentProducer(kafka);
  const started = performance.now();
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += RAW_SEND_SIZE) await producer.send({ topic, acks: -1, messages: messages.slice(i, i + RAW_SEND_SIZE) });
  } finally {
    await producer.disconnect();
  }
  return { seconds: (performance.now() - started) / 1000, bytes };
}

// ── 2. the relay ─────────────────────────────────────────────────────────

interface RelayRound {
  rate: number;
  seconds: number;
  cpuCores: number;
}

async function rawProducerRound(brokers: string, admin: Admin, topic: string, eventsFile: string, expected: number): Promise<RelayRound> {
  await createTopics(admin, [topic]);
  const child = fork(join(__dirname, 'kafka-raw-producer.js'), [brokers, topic, eventsFile], { execArgv: ['-r', REGISTER_PATHS], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const result = await new Promise<Extract<RawProducerMessage, { type: 'done' }>>((ok, fail) => {
    child.once('message', (message: RawProducerMessage) => (message.type === 'done' ? ok(message) : fail(new Error(`the raw producer failed:\n${message.error}`))));
    child.once('exit', (code) => fail(new Error(`the raw producer exited with ${code} before reporting`)));
  });
  const size = await topicSize(admin, topic);
  if (result.messages !== expected || size !== expected) throw new Error(`the raw producer sent ${result.messages} messages and ${topic} holds ${size}; ${expected} expected`);
  return { rate: expected / result.seconds, seconds: result.seconds, cpuCores: result.cpuSeconds / result.seconds };
}

async function relayRound(brokers: string, admin: Admin, prefix: string, dataDir: string, events: number, head: number, profileDir: string | undefined, name: string): Promise<RelayRound & { threads: string; problems: string[] }> {
  const topics: KafkaTopics = kafkaTopics(prefix);
  await createTopics(admin, Object.values(topics));
  // no checkpoint: the relay starts from position 0
  for (const suffix of ['', '-wal', '-shm']) rmSync(join(dataDir, `kafka.sqlite${suffix}`), { force: true });
  const server = Server.start(serverEnv(brokers, prefix, `${prefix}group`, dataDir, await freePort()), profileDir, name);
  try {
    const startedAt = await server.logged(/^relaying the event log to Kafka from position 0$/, 120_000);
    const cpu0 = server.cpuSeconds();
    const threads0 = threadCpuOf(server.child.pid);
    const checkpointFile = join(dataDir, 'kafka.sqlite');
    const deadline = Date.now() + 600_000;
    let doneAt: number | undefined;
    let db: Database.Database | undefined;
    try {
      while (doneAt === undefined) {
        if (!server.running) throw new Error(`the server exited:\n${server.output}`);
        if (Date.now() > deadline) throw new Error('the relay did not reach the head of the log within 600 s');
        if (!db && existsSync(checkpointFile)) db = new Database(checkpointFile, { readonly: true, fileMustExist: true });
        const row = db?.prepare<[], { position: number; updated_at: string }>('SELECT position, updated_at FROM kafka_relay_checkpoints').get();
        if (row && row.position >= head) doneAt = Date.parse(row.updated_at);
        else await sleep(POLL_MS);
      }
    } finally {
      db?.close();
    }
    if (profileDir) profiled.push({ name, from: monotonicAt(startedAt), to: monotonicAt(doneAt) });
    const seconds = (doneAt - startedAt) / 1000;
    const cpu = server.cpuSeconds() - cpu0;
    const threads = threadCores(server.child.pid, threads0, threadCpuOf(server.child.pid), seconds);
    const problems = server.problems();
    await server.stop();
    const published = await topicSize(admin, topics.complaintEvents);
    if (published !== events) throw new Error(`the relay checkpointed the head of the log but ${topics.complaintEvents} holds ${published} of ${events} events`);
    return { rate: events / seconds, seconds, cpuCores: cpu / seconds, threads, problems };
  } finally {
    await server.stop();
  }
}

// ── the benchmark ────────────────────────────────────────────────────────

export async function kafkaBenchmark(options: BenchOptions): Promise<BenchResult[]> {
  const n = options.kafkaMessages;
  const broker = await ensureBroker();
  const kafka = new Kafka({ clientId: 'complaints-bench', brokers: broker.brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const run = `bench.f.${Date.now().toString(36)}.`;
  const profileDir = options.profileDir ? resolve(options.profileDir) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const dirs: string[] = [];
  profiled.length = 0;
  await admin.connect();
  try {
    // 1. end to end
    const topics = kafkaTopics(run);
    await createTopics(admin, Object.values(topics));
    const produced = await produceTickets(kafka, topics.callcenterComplaints, n, `BF${Date.now().toString(36)}-`);
    log(`[f] ${fmtInt(n)} valid 10086 messages (${fmt(produced.bytes / n / 1024, 2)} KiB of JSON each) on ${topics.callcenterComplaints}, ${PARTITIONS} partitions, sent in ${fmt(produced.seconds, 1)} s (${fmtInt(n / produced.seconds)}/s)`);

    const consumeRate = await rawConsumeRate(broker.brokers, topics.callcenterComplaints, `${run}count`, n);
    log(`[f] kafkajs alone (a consumer that only parses the messages): ${fmtInt(consumeRate)} messages/s`);
    const raw1: E2eRound[] = [];
    const sys1: SystemE2eRound[] = [];
    const problems = new Set<string>();
    for (let r = 1; r <= options.rounds; r++) {
      const raw = await rawConsumerRound(broker.brokers, topics.callcenterComplaints, `${run}raw${r}`, n, admin);
      raw1.push(raw);
      log(`[f] end to end round ${r}/${options.rounds} raw    : ${fmtInt(raw.rate)} rows/s (second half ${fmtInt(raw.secondHalfRate)}/s; ${fmt(raw.seconds, 2)} s; offsets committed at ${fmt(raw.committedSeconds, 2)} s; consumer CPU ${fmt(raw.cpuCores)} cores, machine ${fmt(100 * raw.machineBusy, 0)}% busy)`);
      const sys = await systemConsumerRound(broker.brokers, run, `${run}system${r}`, n, admin, profileDir, `e2e${r}`);
      dirs.push(sys.dataDir);
      sys1.push(sys);
      for (const p of sys.problems) problems.add(p);
      log(`[f] end to end round ${r}/${options.rounds} system : ${fmtInt(sys.rate)} registrations/s (second half ${fmtInt(sys.secondHalfRate)}/s; ${fmt(sys.seconds, 2)} s; offsets committed at ${fmt(sys.committedSeconds, 2)} s; ${fmtInt(sys.commits)} commits of ${fmt(n / sys.commits, 1)} on average; server CPU ${fmt(sys.cpuCores)} cores (${fmtInt((1e6 * sys.cpuCores * sys.seconds) / n)} µs per registration): ${sys.threads}; machine ${fmt(100 * sys.machineBusy, 0)}% busy)`);
    }

    // 2. the relay, on the log of the last end-to-end round
    const dataDir = sys1[sys1.length - 1].dataDir;
    const log2 = readLog(join(dataDir, 'events.sqlite'));
    const head = log2[log2.length - 1].position;
    const messages = relayMessages(log2);
    const rawBytes = messages.reduce((sum, m) => sum + Buffer.byteLength(m.value), 0);
    log(`[f] relay: ${fmtInt(log2.length)} events in the log (head ${head}), ${fmtInt(messages.length)} of them for ${topics.complaintEvents} (${fmt(rawBytes / messages.length / 1024, 2)} KiB each)`);
    const raw2: RelayRound[] = [];
    const sys2: (RelayRound & { threads: string })[] = [];
    for (let r = 1; r <= options.rounds; r++) {
      const raw = await rawProducerRound(broker.brokers, admin, `${run}raw${r}.complaints.events.v1`, join(dataDir, 'events.sqlite'), messages.length);
      raw2.push(raw);
      log(`[f] relay round ${r}/${options.rounds} raw    : ${fmtInt(raw.rate)} messages/s (${fmt(raw.seconds, 2)} s; producer CPU ${fmt(raw.cpuCores)} cores, ${fmtInt((1e6 * raw.cpuCores * raw.seconds) / messages.length)} µs per message)`);
      const sys = await relayRound(broker.brokers, admin, `${run}relay${r}.`, dataDir, messages.length, head, profileDir, `relay${r}`);
      sys2.push(sys);
      for (const p of sys.problems) problems.add(p);
      log(`[f] relay round ${r}/${options.rounds} system : ${fmtInt(sys.rate)} events/s (${fmt(sys.seconds, 2)} s; server CPU ${fmt(sys.cpuCores)} cores (${fmtInt((1e6 * sys.cpuCores * sys.seconds) / messages.length)} µs per event): ${sys.threads})`);
    }

    if (profileDir) summariseServerProfiles(profileDir);

    const m = <T>(rounds: T[], key: keyof T) => median(rounds.map((x) => x[key] as number));
    const rate1 = m(sys1, 'rate');
    const rawRate1 = m(raw1, 'rate');
    const rate2 = m(sys2, 'rate');
    const rawRate2 = m(raw2, 'rate');
    const problemNote = problems.size > 0 ? [`the server logged warnings or errors: ${[...problems].slice(0, 5).join(' | ')}`] : [];
    return [
      {
        id: 'f',
        title: `${fmtInt(n)} complaints registered from Kafka end to end`,
        unit: 'registrations/s',
        system: {
          label: `the server of npm start (dist/apps/api/src/main.js) in a child process, KAFKA_BROKERS=${broker.brokers}, SQLITE_SYNCHRONOUS=FULL, a fresh DATA_DIR, consumer group of its own; from its consumer's start (log line after joining the group) to all ${fmtInt(n)} in its event log`,
          rounds: sys1.map((x) => x.rate),
          median: rate1,
          cell: `${fmtInt(rate1)} registrations/s`,
        },
        raw: {
          label: 'a bare kafkajs consumer in a child process, the same messages, the same ComplaintRegistered rows inserted with raw better-sqlite3, 1 row per transaction at FULL, offsets committed after the rows',
          rounds: raw1.map((x) => x.rate),
          median: rawRate1,
          cell: `${fmtInt(rawRate1)} rows/s`,
        },
        ratio: rate1 / rawRate1,
        target: `>= ${fmtInt(TARGETS.registeredPerSecond)} registrations/s`,
        pass: rate1 >= TARGETS.registeredPerSecond,
        details: [
          `rounds raw: ${listRounds(raw1.map((x) => x.rate))} rows/s; system: ${listRounds(sys1.map((x) => x.rate))} registrations/s`,
          `${fmtInt(n)} valid tickets of the simulator (callcenterTraffic, no duplicates, no malformed, ${fmt(produced.bytes / n / 1024, 2)} KiB of JSON each) on a topic of ${PARTITIONS} partitions, all waiting before the consumers start; produced at ${fmtInt(n / produced.seconds)}/s`,
          `kafkajs alone, same run (a consumer in a child process that only parses each message, from its start to the last): ${fmtInt(consumeRate)} messages/s`,
          `second half alone (from the poll that counted half of them: a warm process): raw ${listRounds(raw1.map((x) => x.secondHalfRate))} rows/s; system ${listRounds(sys1.map((x) => x.secondHalfRate))} registrations/s`,
          `system: ${sys1.map((x) => `${fmt(x.seconds, 2)} s`).join(' | ')} to the last registration, offsets committed at ${sys1.map((x) => `${fmt(x.committedSeconds, 2)} s`).join(' | ')}; ${sys1.map((x) => fmtInt(x.commits)).join(' | ')} group commits; server CPU ${sys1.map((x) => fmt(x.cpuCores)).join(' | ')} cores, ${sys1.map((x) => fmtInt((1e6 * x.cpuCores * x.seconds) / n)).join(' | ')} µs per registration (main thread, projection worker, V8's compiler and GC threads together); machine ${sys1.map((x) => `${fmt(100 * x.machineBusy, 0)}%`).join(' | ')} busy (the broker and whatever else runs on it included)`,
          `system threads, round by round: ${sys1.map((x) => x.threads).join(' | ')}`,
          `raw: ${raw1.map((x) => `${fmt(x.seconds, 2)} s`).join(' | ')}, offsets committed at ${raw1.map((x) => `${fmt(x.committedSeconds, 2)} s`).join(' | ')}; consumer CPU ${raw1.map((x) => fmt(x.cpuCores)).join(' | ')} cores; machine ${raw1.map((x) => `${fmt(100 * x.machineBusy, 0)}%`).join(' | ')} busy`,
          `broker: Kafka on ${broker.brokers}, ${broker.startedHere ? 'started by this run (and left running)' : 'found running'}; the topics of the run deleted at its end`,
          `after each system round: exactly ${fmtInt(n)} events in the log, all ComplaintRegistered, ${fmtInt(n)} distinct tickets; the group's committed offsets reach the end of the topic`,
          `the server's relay runs meanwhile, as in production (it publishes the registrations as they commit)`,
          `the end is the first poll (every ${POLL_MS} ms) that counts ${fmtInt(n)} events in the file; the start is the consumer's log line once kafkajs joined the group (the raw child reports the same instant over IPC)`,
          ...problemNote,
        ],
      },
      {
        id: 'f',
        title: `the relay publishing ${fmtInt(messages.length)} events to Kafka`,
        unit: 'events/s',
        system: {
          label: `the server started again on the log of the last end-to-end round with no relay checkpoint and topics of its own: OutboundRelay from position 0 to the checkpoint at the head (${fmtInt(head)})`,
          rounds: sys2.map((x) => x.rate),
          median: rate2,
          cell: `${fmtInt(rate2)} events/s`,
        },
        raw: {
          label: `a plain kafkajs producer in a fresh child process (as cold as the server), the same settings (idempotentProducer: idempotent, acks -1, 1 request in flight, the Java partitioner), the same keys, values and headers (complaintEventMessage of the same events, built beforehand), ${fmtInt(RAW_SEND_SIZE)} messages per send, from connect to the last acknowledgement`,
          rounds: raw2.map((x) => x.rate),
          median: rawRate2,
          cell: `${fmtInt(rawRate2)} messages/s`,
        },
        ratio: rate2 / rawRate2,
        target: `ratio >= ${TARGETS.relayRatio}`,
        pass: rate2 / rawRate2 >= TARGETS.relayRatio,
        details: [
          `rounds raw: ${listRounds(raw2.map((x) => x.rate))} messages/s; system: ${listRounds(sys2.map((x) => x.rate))} events/s`,
          `system: ${sys2.map((x) => `${fmt(x.seconds, 2)} s`).join(' | ')} from the relay's start (its log line) to the checkpoint write at the head of the log (its updated_at), connecting the producer included; server CPU ${sys2.map((x) => fmt(x.cpuCores)).join(' | ')} cores, ${sys2.map((x) => fmtInt((1e6 * x.cpuCores * x.seconds) / messages.length)).join(' | ')} µs per event; ${sys2.map((x) => x.threads).join(' | ')}`,
          `raw: ${raw2.map((x) => `${fmt(x.seconds, 2)} s`).join(' | ')}; producer CPU ${raw2.map((x) => fmt(x.cpuCores)).join(' | ')} cores, ${raw2.map((x) => fmtInt((1e6 * x.cpuCores * x.seconds) / messages.length)).join(' | ')} µs per message`,
          `every topic checked after its round: ${fmtInt(messages.length)} messages (sum of the partitions' high watermarks); ${PARTITIONS} partitions each`,
        ],
      },
    ];
  } finally {
    try {
      const mine = (await admin.listTopics()).filter((t) => t.startsWith(run));
      if (mine.length > 0) await admin.deleteTopics({ topics: mine });
    } catch (error) {
      log(`[f] could not delete the topics ${run}*: ${(error as Error).message}`);
    }
    await admin.disconnect();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    // left running, as the Kafka tests leave it (test/support/kafka.ts): others on this machine may be using it by now
    if (broker.startedHere) log('[f] the broker was started by this run and is left running (npm run kafka:stop stops it)');
  }
}
