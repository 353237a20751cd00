/**
 * (e) The deadline scheduler with 100,000 pending deadlines (issue 4).
 *
 * Phase 1 (this process): a server on the test clock registers complaints
 * through the CommandBus, each with the time chosen so that its level clock's
 * 50% warning comes due at a planned instant shortly after phase 2 starts:
 * a steady stream spread over 30 s, then a burst all due at once. Each
 * complaint carries six pending deadlines (level and appeal-risk clocks, a
 * warning at 50% and 80% and the due time each), so the log holds 100,000
 * pending deadlines when the server stops.
 *
 * Phase 2 (a child process, so its memory is its own, with the Node options
 * of npm start): the server starts again on the same files with the real
 * clock, as after a restart. Measured:
 * from the start to every pending deadline in the scheduler's table; the
 * process's peak resident memory; each warning's lateness (the commit time
 * of its event against the instant it came due); and how fast the burst
 * fires. Baseline, same run: raw better-sqlite3 inserts of rows of the same
 * size, one per transaction, at synchronous=FULL, as in (a).
 */
import { fork } from 'child_process';
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { performance } from 'perf_hooks';
import pino from 'pino';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CommandBus } from '@nestjs/cqrs';
import { ComplaintCommand } from '@complaints/domain';
import { CommandIdentity } from '../apps/api/src/complaints/complaint-ids';
import { ComplaintCommandResult, RunComplaintCommand } from '../apps/api/src/complaints/run-complaint-command';
import { createApp } from '../apps/api/src/create-app';
import { loadConfig } from '../apps/api/src/platform/config';
import { ReadModelsReader } from '../apps/api/src/queries/read-models.reader';
import { BenchOptions } from './options';
import { AGENT, msisdnFor, registerBody, registerData } from './payload';
import { RawEventTable, RawRows } from './raw-table';
import { startNodeOptions } from './start-node-options';
import { BenchResult } from './result';
import { fmt, fmtInt, log } from './stats';

const ROOT = resolve(__dirname, '..', '..');
const REGISTER_PATHS = join(ROOT, 'tools', 'register-paths.js');
const HOUR = 3_600_000;
/** level 1 (an ordinary billing complaint): 48 hours, so the 50% warning comes 24 hours after registration */
const WARN50_AFTER_MS = 24 * HOUR;
const DEADLINES_PER_COMPLAINT = 6;
const TARGETS = { scheduledMs: 5000, rssMb: 300, p99LatenessMs: 1000, burstPerSecond: 1000 };

interface Plan {
  /** when phase 2 should be running (epoch ms) */
  steadyFrom: number;
  steadyTo: number;
  burstAt: number;
  steady: number;
  burst: number;
}

interface ChildResult {
  scheduledMs: number;
  pendingAtStart: number;
  peakRssMb: number;
  hwmRssMb: number;
  steadyLatenessMs: number[];
  burstLatenessMs: number[];
  burstFirstToLastMs: number;
  startedAt: number;
  /** resident memory at the milestones of phase 2 */
  rssAtMb: Record<string, number>;
}

const percentile = (sorted: readonly number[], p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]);

/** Registers a complaint at `at`, as ComplaintCommands.run would, but with the time given rather than read from the clock. */
async function registerAt(bus: CommandBus, n: number, at: number): Promise<void> {
  const principal = { ...AGENT, scopes: [] };
  const identity = CommandIdentity.fromIdempotencyKey(principal.sub, undefined);
  const complaintId = identity.newId('complaint');
  const now = new Date(at).toISOString();
  const build = () => ({ type: 'RegisterComplaint', data: registerData(complaintId, registerBody(msisdnFor(n))), context: { now, actor: principal.sub } }) as ComplaintCommand;
  await bus.execute<RunComplaintCommand, ComplaintCommandResult>(new RunComplaintCommand('RegisterComplaint', principal, complaintId, build, { identity, now, ifMatch: undefined, workOrderId: undefined }));
}

async function preparePhase1(dir: string, plan: Plan): Promise<{ complaints: number; seconds: number }> {
  const started = performance.now();
  const config = loadConfig({ DATA_DIR: dir, COMPLAINTS_TEST_CLOCK: '1', LOG_LEVEL: 'silent', NODE_ENV: 'test', SQLITE_SYNCHRONOUS: 'FULL', PROJECTIONS_WORKER: '1' });
  const app: NestFastifyApplication = await createApp(config, { logger: pino({ level: 'silent' }) });
  await app.init();
  try {
    const bus = app.get(CommandBus);
    // registration times, in order: the steady stream spread evenly, then the burst all at one instant
    const times: number[] = [];
    for (let i = 0; i < plan.steady; i++) times.push(plan.steadyFrom + ((plan.steadyTo - plan.steadyFrom) * i) / plan.steady - WARN50_AFTER_MS);
    for (let i = 0; i < plan.burst; i++) times.push(plan.burstAt - WARN50_AFTER_MS);
    let next = 0;
    const loop = async () => {
      while (next < times.length) {
        const n = next++;
        await registerAt(bus, n, times[n]);
      }
    };
    await Promise.all(Array.from({ length: 64 }, loop));
    // the projections have every deadline before the server stops
    await app.get(ReadModelsReader).fresh();
    return { complaints: times.length, seconds: (performance.now() - started) / 1000 };
  } finally {
    await app.close();
  }
}

function runChild(dir: string, plan: Plan): Promise<ChildResult> {
  return new Promise((resolvePromise, reject) => {
    // the server's Node options as npm start gives them (package.json), then any the run adds
    const execArgv = [...startNodeOptions(), '-r', REGISTER_PATHS, ...(process.env.BENCH_E_NODE_ARGS ?? '').split(' ').filter(Boolean)];
    const child = fork(__filename, ['--child', dir, JSON.stringify(plan)], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (message: { ok: true; result: ChildResult } | { ok: false; error: string }) => (message.ok ? resolvePromise(message.result) : reject(new Error(message.error))));
    child.once('exit', (code) => reject(new Error(`the scheduler child exited with code ${code} before reporting`)));
  });
}

/** The raw baseline of the same run: rows of the same size, one per transaction, at FULL. */
function rawRate(dir: string, seconds: number): number {
  const table = new RawEventTable(join(dir, 'raw.sqlite'), 'FULL');
  try {
    const rows = new RawRows();
    const start = performance.now();
    let n = 0;
    while (performance.now() - start < seconds * 1000) {
      table.insertOne(rows.next());
      n++;
    }
    return n / ((performance.now() - start) / 1000);
  } finally {
    table.close();
  }
}

export async function schedulerBenchmark(options: BenchOptions): Promise<BenchResult> {
  void options;
  const dir = mkdtempSync(join(tmpdir(), 'complaints-bench-e-'));
  try {
    const complaints = Math.ceil(100_000 / DEADLINES_PER_COMPLAINT);
    const burst = 10_000;
    const phase1Budget = 45_000;
    const steadyFrom = Date.now() + phase1Budget + 10_000;
    const plan: Plan = { steadyFrom, steadyTo: steadyFrom + 30_000, burstAt: steadyFrom + 35_000, steady: complaints - burst, burst };
    log(`[e] phase 1: registering ${fmtInt(complaints)} complaints (${fmtInt(complaints * DEADLINES_PER_COMPLAINT)} pending deadlines) on the test clock; ${dir}`);
    const prepared = await preparePhase1(dir, plan);
    log(`[e] phase 1 done in ${fmt(prepared.seconds, 1)} s`);
    if (Date.now() > plan.steadyFrom - 5000) throw new Error(`phase 1 took ${fmt(prepared.seconds, 1)} s, past its budget: the first deadlines would come due before the restart`);
    const raw = rawRate(dir, 3);
    log(`[e] raw baseline: ${fmtInt(raw)} inserts/s (better-sqlite3, 1 row per transaction, FULL)`);

    log('[e] phase 2: the server starts again with the real clock');
    const result = await runChild(dir, plan);
    const steady = [...result.steadyLatenessMs].sort((a, b) => a - b);
    const burstSorted = [...result.burstLatenessMs].sort((a, b) => a - b);
    const burstSeconds = (burstSorted[burstSorted.length - 1] ?? NaN) / 1000;
    const burstRate = result.burstLatenessMs.length / burstSeconds;
    const p99 = percentile(steady, 99);
    const checks = [
      { ok: result.scheduledMs <= TARGETS.scheduledMs, text: `start to all scheduled ${fmtInt(result.scheduledMs)} ms <= ${TARGETS.scheduledMs}` },
      { ok: result.hwmRssMb <= TARGETS.rssMb, text: `peak RSS ${fmtInt(result.hwmRssMb)} MB <= ${TARGETS.rssMb}` },
      { ok: p99 <= TARGETS.p99LatenessMs, text: `p99 lateness ${fmtInt(p99)} ms <= ${TARGETS.p99LatenessMs}` },
      { ok: burstRate >= TARGETS.burstPerSecond, text: `burst ${fmtInt(burstRate)} fired/s >= ${TARGETS.burstPerSecond}` },
    ];
    const allFired = steady.length === plan.steady && burstSorted.length === plan.burst;
    const pass = allFired && checks.every((c) => c.ok);
    return {
      id: 'e',
      title: `deadline scheduler, ${fmtInt(result.pendingAtStart)} pending deadlines at a restart`,
      unit: 'deadlines/s',
      system: {
        label: 'restart → DeadlineScheduler (real clock) → FireDeadline commands',
        rounds: [burstRate],
        median: burstRate,
        cell: `scheduled in ${fmtInt(result.scheduledMs)} ms, peak RSS ${fmtInt(result.hwmRssMb)} MB, p99 lateness ${fmtInt(p99)} ms, burst ${fmtInt(burstRate)} fired/s`,
      },
      raw: { label: 'better-sqlite3 INSERT, 1 row per transaction, FULL', rounds: [raw], median: raw, cell: `${fmtInt(raw)} inserts/s` },
      ratio: burstRate / raw,
      target: `scheduled <= 5 s, RSS <= 300 MB, p99 lateness <= 1 s, burst >= 1,000/s`,
      pass,
      details: [
        `phase 1: ${fmtInt(prepared.complaints)} complaints registered through the CommandBus in ${fmt(prepared.seconds, 1)} s; at the restart ${fmtInt(result.pendingAtStart)} deadlines pending`,
        `steady: ${fmtInt(steady.length)} of ${fmtInt(plan.steady)} warnings due evenly over 30 s fired; lateness p50 ${fmtInt(percentile(steady, 50))} ms, p99 ${fmtInt(p99)} ms, max ${fmtInt(steady[steady.length - 1] ?? NaN)} ms`,
        `burst: ${fmtInt(burstSorted.length)} of ${fmtInt(plan.burst)} warnings due at one instant fired within ${fmt(burstSeconds, 2)} s of it: ${fmtInt(burstRate)}/s (${fmt(burstRate / raw, 2)}× the raw one-row-a-transaction insert rate); lateness p50 ${fmtInt(percentile(burstSorted, 50))} ms, p99 ${fmtInt(percentile(burstSorted, 99))} ms`,
        `peak RSS of the restarted server process: ${fmtInt(result.hwmRssMb)} MB (VmHWM; sampled every 50 ms: ${fmtInt(result.peakRssMb)} MB); ${Object.entries(result.rssAtMb)
          .map(([at, mb]) => `${fmtInt(mb)} MB ${at}`)
          .join(', ')}`,
        `lateness = the commit time of the ClockWarningReached event minus the instant its deadline came due`,
        ...checks.map((c) => `${c.text} ${c.ok ? 'PASS' : 'FAIL'}`),
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ── phase 2, in the child ─────────────────────────────────────────────────

function vmHwmMb(): number {
  try {
    const line = readFileSync('/proc/self/status', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmHWM:'));
    return line ? Number(line.replace(/\D+/g, '')) / 1024 : 0;
  } catch {
    return 0;
  }
}

async function child(dir: string, plan: Plan): Promise<ChildResult> {
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const startedAt = Date.now();
  const t0 = performance.now();
  const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', NODE_ENV: 'test', SQLITE_SYNCHRONOUS: 'FULL', PROJECTIONS_WORKER: '1' });
  const app = await createApp(config, { logger: pino({ level: 'silent' }) });
  await app.init();
  // scheduled: the scheduler's table holds every pending deadline
  const db = await app.get(ReadModelsReader).fresh();
  const pending = await db.selectFrom('deadlines').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const scheduledMs = performance.now() - t0;
  const rssAtMb: Record<string, number> = { scheduled: process.memoryUsage().rss / 1048576 };

  const events = new Database(join(dir, 'events.sqlite'), { readonly: true });
  const where = `type = 'ClockWarningReached' AND json_extract(data, '$.clock') = 'level' AND json_extract(data, '$.mark') = 'warn50'`;
  // while waiting, only a count: the measuring must not fill this process's heap with rows it reads
  const count = events.prepare<[], number>(`SELECT COUNT(*) FROM events WHERE ${where}`).pluck();
  const expected = plan.steady + plan.burst;
  const giveUpAt = plan.burstAt + 60_000;
  while ((count.get() ?? 0) < expected && Date.now() < giveUpAt) {
    await new Promise((r) => setTimeout(r, 1000));
    if (rssAtMb['before the burst'] === undefined && Date.now() >= plan.burstAt - 1000) rssAtMb['before the burst'] = process.memoryUsage().rss / 1048576;
  }
  rssAtMb['after the burst'] = process.memoryUsage().rss / 1048576;
  if (process.env.BENCH_E_DEBUG) process.stderr.write(`[e] child memory after the burst: ${JSON.stringify(process.memoryUsage())}\n`);
  clearInterval(sampler);
  const rows = events.prepare<[], { recorded_at: string; data: string }>(`SELECT recorded_at, data FROM events WHERE ${where}`).all();
  const steadyLatenessMs: number[] = [];
  const burstLatenessMs: number[] = [];
  let first = Infinity;
  let last = -Infinity;
  for (const row of rows) {
    const { dueAt } = JSON.parse(row.data) as { dueAt: string };
    // level 1: due 48 h after registration, the 50% warning 24 h before that
    const fireAt = Date.parse(dueAt) - WARN50_AFTER_MS;
    const lateness = Date.parse(row.recorded_at) - fireAt;
    if (fireAt === plan.burstAt) {
      burstLatenessMs.push(lateness);
      first = Math.min(first, Date.parse(row.recorded_at));
      last = Math.max(last, Date.parse(row.recorded_at));
    } else steadyLatenessMs.push(lateness);
  }
  events.close();
  await app.close();
  return {
    scheduledMs,
    pendingAtStart: Number(pending.n),
    peakRssMb: peakRss / 1024 / 1024,
    hwmRssMb: vmHwmMb(),
    steadyLatenessMs,
    burstLatenessMs,
    burstFirstToLastMs: last - first,
    startedAt,
    rssAtMb,
  };
}

if (process.argv[2] === '--child' && process.send) {
  const send = process.send.bind(process);
  child(process.argv[3], JSON.parse(process.argv[4]) as Plan).then(
    (result) => send({ ok: true, result }, () => process.exit(0)),
    (error: unknown) => send({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () => process.exit(1)),
  );
}
