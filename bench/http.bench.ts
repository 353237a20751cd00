import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { ChildProcess, fork } from 'child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { TokenService } from '../apps/api/src/platform/auth';
import { DEVELOPMENT_JWT_SECRET } from '../apps/api/src/platform/config';
import type { ServerMessage, ServerMode } from './http-server';
import { BenchOptions } from './options';
import { startNodeOptions } from './start-node-options';
import { AGENT, msisdnFor, registerBody } from './payload';
import { summariseProfiles } from './profile';
import { BenchResult } from './result';
import { fmt, fmtInt, listRounds, log, median } from './stats';

/** the repository root, from dist/bench/ */
const ROOT = resolve(__dirname, '..', '..');
const REGISTER_PATHS = join(ROOT, 'tools', 'register-paths.js');

interface Round {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** the server's CPU time over the round, in cores (1.0 = one core busy all the time) */
  serverCores: number;
  /** the share of the round the server's event loop was busy (0..1) */
  serverLoop: number;
  /** the load generator's (this process's) CPU, in cores */
  clientCores: number;
  ok: number;
}

class ServerChild {
  private constructor(
    readonly mode: ServerMode,
    readonly url: string,
    readonly dir: string,
    private readonly child: ChildProcess,
  ) {}

  static async start(mode: ServerMode, profileDir: string | undefined): Promise<ServerChild> {
    const dir = mkdtempSync(join(tmpdir(), `complaints-bench-c-${mode}-`));
    // the system's server runs with the Node options of npm start; the bare Fastify baseline with Node's defaults
    const execArgv = [...(mode === 'app' ? startNodeOptions() : []), '-r', REGISTER_PATHS];
    if (profileDir) execArgv.push('--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', `server-${mode}-${process.pid}.cpuprofile`);
    const child = fork(join(__dirname, 'http-server.js'), ['--mode', mode, '--dir', dir], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const listening = new Promise<string>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`the ${mode} server did not start within 60 s`)), 60_000);
      child.on('message', function onMessage(message: ServerMessage) {
        if (message.type === 'listening') ok(message.url);
        else if (message.type === 'failed') fail(new Error(`the ${mode} server failed to start:\n${message.error}`));
        else return;
        clearTimeout(timer);
        child.off('message', onMessage);
      });
      child.once('exit', (code) => fail(new Error(`the ${mode} server exited with ${code} before listening`)));
    });
    try {
      return new ServerChild(mode, await listening, dir, child);
    } catch (error) {
      if (child.exitCode === null) child.kill();
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  usage(): Promise<{ micros: number; idle: number; active: number }> {
    return new Promise((ok) => {
      const onMessage = (message: ServerMessage) => {
        if (message.type !== 'cpu') return;
        this.child.off('message', onMessage);
        ok(message);
      };
      this.child.on('message', onMessage);
      this.child.send('cpu');
    });
  }

  /** stops the server and returns how many events its file holds */
  async stop(): Promise<number> {
    if (this.child.exitCode === null) {
      const exited = new Promise((ok) => this.child.once('exit', ok));
      this.child.send('stop');
      await exited;
    }
    const file = join(this.dir, this.mode === 'app' ? 'events.sqlite' : 'raw-http.sqlite');
    const db = new Database(file, { readonly: true });
    try {
      return db.prepare<[], number>('SELECT COUNT(*) FROM events').pluck().get() ?? 0;
    } finally {
      db.close();
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  /** after a failure: ends the child and removes its files */
  kill(): void {
    if (this.child.exitCode === null) this.child.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

let sequence = 0;

async function load(server: ServerChild, token: string, seconds: number, connections: number): Promise<Round> {
  const serverBefore = await server.usage();
  const clientCpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const result = await autocannon({
    url: `${server.url}/api/complaints`,
    connections,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    requests: [
      {
        setupRequest: (request) => {
          request.body = JSON.stringify(registerBody(msisdnFor(sequence++)));
          return request;
        },
      },
    ],
  });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const serverAfter = await server.usage();
  const serverCpu = serverAfter.micros - serverBefore.micros;
  const loopActive = serverAfter.active - serverBefore.active;
  const loopIdle = serverAfter.idle - serverBefore.idle;
  const clientCpu = process.cpuUsage(clientCpuBefore);
  return {
    rps: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    serverCores: serverCpu / 1e6 / wall,
    serverLoop: loopActive / (loopActive + loopIdle),
    clientCores: (clientCpu.user + clientCpu.system) / 1e6 / wall,
    ok: result['2xx'],
  };
}

function describe(round: Round): string {
  return (
    `${fmtInt(round.rps)} req/s, p50 ${round.p50} ms, p99 ${round.p99} ms, non-2xx ${round.non2xx}, errors ${round.errors}, ` +
    `server CPU ${fmt(round.serverCores)} cores (event loop ${fmt(100 * round.serverLoop, 0)}% busy), load generator ${fmt(round.clientCores)} cores`
  );
}

export async function httpBenchmark(options: BenchOptions): Promise<BenchResult> {
  const tag = '[c]';
  const token = new TokenService(DEVELOPMENT_JWT_SECRET).sign(AGENT, { expiresIn: '1h' });
  const profileDir = options.profileDir ? resolve(options.profileDir) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const servers: ServerChild[] = [];
  try {
    const raw = await ServerChild.start('raw', undefined);
    servers.push(raw);
    const app = await ServerChild.start('app', profileDir);
    servers.push(app);
    log(`${tag} POST /api/complaints, ${options.connections} connections, ${options.seconds} s per round; app ${app.url}, raw ${raw.url}`);

    const expected = new Map<ServerChild, number>([
      [raw, 0],
      [app, 0],
    ]);
    const run = async (server: ServerChild, seconds: number) => {
      const round = await load(server, token, seconds, options.connections);
      expected.set(server, (expected.get(server) ?? 0) + round.ok);
      return round;
    };
    for (const server of [raw, app]) {
      const warm = await run(server, options.warmupSeconds);
      log(`${tag} warm-up ${server.mode}: ${describe(warm)}`);
    }

    const rawRounds: Round[] = [];
    const appRounds: Round[] = [];
    for (let round = 1; round <= options.rounds; round++) {
      const r = await run(raw, options.seconds);
      rawRounds.push(r);
      log(`${tag} round ${round}/${options.rounds} raw    : ${describe(r)}`);
      const a = await run(app, options.seconds);
      appRounds.push(a);
      log(`${tag} round ${round}/${options.rounds} system : ${describe(a)}`);
    }

    // Every 2xx is a stored event. A few more may be stored: when a round's time is up
    // autocannon drops the requests in flight, which the server still completes.
    const runs = options.rounds + 1;
    for (const server of [raw, app]) {
      const stored = await server.stop();
      const ok = expected.get(server) ?? 0;
      if (stored < ok || stored > ok + runs * options.connections) {
        throw new Error(`the ${server.mode} server answered ${ok} requests with 2xx but stored ${stored} events`);
      }
    }
    servers.length = 0;

    const m = (rounds: Round[], key: keyof Round) => median(rounds.map((r) => r[key]));
    const rps = m(appRounds, 'rps');
    const p50 = m(appRounds, 'p50');
    const p99 = m(appRounds, 'p99');
    const non2xx = appRounds.reduce((sum, r) => sum + r.non2xx + r.errors, 0);
    const rawRps = m(rawRounds, 'rps');
    const pass = rps >= 2000 && p99 <= 100 && non2xx === 0;
    const details = [
      `system: p50 ${fmt(p50, 0)} ms, p99 ${fmt(p99, 0)} ms (medians of rounds), non-2xx + errors ${non2xx}; server CPU ${fmt(m(appRounds, 'serverCores'))} cores (event loop ${fmt(100 * m(appRounds, 'serverLoop'), 0)}% busy), load generator ${fmt(m(appRounds, 'clientCores'))} cores`,
      `raw:    p50 ${fmt(m(rawRounds, 'p50'), 0)} ms, p99 ${fmt(m(rawRounds, 'p99'), 0)} ms, non-2xx + errors ${rawRounds.reduce((s, r) => s + r.non2xx + r.errors, 0)}; server CPU ${fmt(m(rawRounds, 'serverCores'))} cores (event loop ${fmt(100 * m(rawRounds, 'serverLoop'), 0)}% busy)`,
      `rounds raw: ${listRounds(rawRounds.map((r) => r.rps))} req/s; system: ${listRounds(appRounds.map((r) => r.rps))} req/s (p99 ${appRounds.map((r) => r.p99).join(' | ')} ms)`,
      `every 2xx is a stored event (both files counted after the run)`,
    ];
    log(`${tag} median raw ${fmtInt(rawRps)} req/s, system ${fmtInt(rps)} req/s, p50 ${p50} ms, p99 ${p99} ms, non-2xx ${non2xx}`);
    if (profileDir) {
      log(`${tag} CPU profile of the app server in ${profileDir}; top self time:`);
      for (const line of summariseProfiles(profileDir, 'server-app-', 25)) log(`${tag}   ${line}`);
    }
    return {
      id: 'c',
      title: `POST /api/complaints over HTTP, ${options.connections} connections`,
      unit: 'req/s',
      system: {
        label: 'the API in a child process (createApp, listen on 127.0.0.1:0)',
        rounds: appRounds.map((r) => r.rps),
        median: rps,
        cell: `${fmtInt(rps)} req/s, p50 ${fmt(p50, 0)} ms, p99 ${fmt(p99, 0)} ms, ${non2xx} non-2xx`,
      },
      raw: {
        label: 'bare Fastify route + raw better-sqlite3 INSERT, 1 row per transaction',
        rounds: rawRounds.map((r) => r.rps),
        median: rawRps,
        cell: `${fmtInt(rawRps)} req/s, p99 ${fmt(m(rawRounds, 'p99'), 0)} ms`,
      },
      ratio: rps / rawRps,
      target: '>= 2,000 req/s, p99 <= 100 ms, 0 non-2xx',
      pass,
      details,
    };
  } finally {
    for (const server of servers) server.kill();
  }
}
