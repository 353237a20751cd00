import { execSync } from 'child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import os from 'os';
import { dirname } from 'path';
import { BenchResult } from './result';
import { fmt, fmtInt } from './stats';

export interface Machine {
  date: string;
  nproc: string;
  cpu: string;
  memory: string;
  node: string;
  os: string;
  tmpdir: string;
}

export function describeMachine(): Machine {
  let nproc = String(os.availableParallelism());
  try {
    nproc = execSync('nproc', { encoding: 'utf8' }).trim();
  } catch {
    // no coreutils: the count Node sees
  }
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) cpu = line.split(':')[1].trim();
  } catch {
    // not Linux
  }
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    nproc,
    cpu,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    tmpdir: os.tmpdir(),
  };
}

const LETTER = { a: '(a)', b: '(b)', c: '(c)', d: '(d)', e: '(e)', f: '(f)', g: '(g)' } as const;

function ratioText(r: BenchResult): string {
  return r.ratio === undefined ? '—' : `${fmt(r.ratio)}×`;
}

export function markdownTable(results: readonly BenchResult[]): string {
  const lines = [
    '| Benchmark | System (median) | Raw baseline, same run (median) | Ratio | Target | Result |',
    '|---|---:|---:|---:|---|---|',
  ];
  for (const r of results) {
    const system = r.system.cell ?? `${fmtInt(r.system.median)} ${r.unit}`;
    const raw = r.raw ? (r.raw.cell ?? `${fmtInt(r.raw.median)} ${r.unit === 'commands/s' ? 'inserts/s' : r.unit}`) : '—';
    lines.push(`| ${LETTER[r.id]} ${r.title} | ${system} | ${raw} | ${ratioText(r)} | ${r.target} | ${r.pass ? 'PASS' : 'FAIL'} |`);
  }
  return lines.join('\n');
}

const MARKER = '<!-- bench:runs (newest first; `npm run bench` inserts each new run below this line) -->';

const HEADER = `# Benchmarks

\`npm run bench\` builds the project and runs \`node -r ./tools/register-paths.js dist/bench/run.js\`
(sources in \`bench/\`). Every figure stands beside a raw baseline measured in the
same run, on temporary files, at \`PRAGMA synchronous=FULL\` in WAL mode, in
alternating rounds (raw, system, raw, system, …); the tables give the medians
and the details list every round, so the noise of the machine is visible.

- **(a)** RegisterComplaint commands (one event each), one at a time, through the
  real Nest application context: \`CommandBus\` → \`RunComplaintCommandHandler\` →
  \`CommandPipeline\` → \`SqliteEventStore\`, the command built as
  \`ComplaintCommands.run\` builds it. Baseline: better-sqlite3 inserting rows of the
  same JSON sizes into a table of the same shape (autoincrement position, unique
  event_id, unique stream_id + revision), one row per \`BEGIN IMMEDIATE..COMMIT\`.
  Target: ratio ≥ 0.6.
- **(b)** The same commands with 64 in flight, so the store group-commits;
  against the same kind of raw one-row-per-transaction figure. Target: ratio ≥ 3.
- **(c)** \`POST /api/complaints\` over HTTP: the real server in a child process,
  autocannon in the bench process, 64 connections, ~10 s per round after a
  warm-up, a valid agent token and a different MSISDN per request. Baseline: a
  bare Fastify (the one Nest uses), also in a child process, whose route parses
  the same body and inserts the same row with raw better-sqlite3, one row per
  transaction (no auth, no validation, no Nest). Target: ≥ 2,000 req/s and
  p99 ≤ 100 ms with no non-2xx response.
- **(d)** The read side on a month of demo traffic: \`npm run demo -- --days 30
  --per-day 3500 --seed 1\` (about 1,320,000 events of 105,000 complaints),
  generated once through the real command pipeline and kept in
  \`.cache/bench/\` (git-ignored; \`npm run bench -- --prepare\` generates it
  alone, which takes 6 to 13 minutes at 1,400 to 3,700 events/s by the host). Each round, in
  processes of their own: the raw paged \`SqliteEventStore.readAll\` scan of the
  whole log (pages as the runner reads them), then
  \`ProjectionRunner.rebuild()\` of \`allProjections()\` into a new read-model
  file, its peak RSS sampled (\`process.memoryUsage().rss\` every 25 ms and after
  each batch, and the process's VmHWM). Targets: ≥ 50,000 events/s, ≥ 0.3× the
  raw scan, peak RSS ≤ 500 MB. Then, on the rebuilt read models:
  \`statsSummary\` of the month (all branches, asOf now), 50 runs after 3
  warm-up runs, target p95 ≤ 50 ms; and the \`asOf\` desk queue of the busiest
  branch at 10:30 on the 16th, 5 runs, target ≤ 2 s each.

- **(e)** The deadline scheduler at a restart with 100,000 pending deadlines
  (issue 4). Phase 1, on the test clock: 16,667 complaints registered through
  the CommandBus with their times chosen so that each level clock's 50%
  warning comes due shortly after phase 2 starts: 6,667 spread evenly over
  30 s, then 10,000 all at one instant (a burst); six pending deadlines each.
  Phase 2, in a child process: the server starts again on the same files with
  the real clock. Targets: from the start to every pending deadline in the
  scheduler's table ≤ 5 s; peak RSS of that process ≤ 300 MB; p99 lateness of
  the steady warnings (commit time of the event minus the instant due) ≤ 1 s;
  the burst fired at ≥ 1,000 deadlines/s (counted to the last commit after the
  instant). Baseline, same run: raw one-row-a-transaction inserts, as in (a).
- **(f)** The 10086 integration over the real Kafka broker of \`npm run
  kafka:start\` (127.0.0.1:9092, used as found; started by the benchmark
  when it does not answer, and then left running as the Kafka tests leave
  it), every topic of the run under a prefix of its own
  (\`KAFKA_TOPIC_PREFIX\`, deleted at the end), 3 partitions. End to end:
  30,000 valid tickets of the simulator (\`--kafka-messages\`) wait on
  \`callcenter.complaints.v1\`; the server of \`npm start\`
  (\`dist/apps/api/src/main.js\`) in a child process, \`SQLITE_SYNCHRONOUS=FULL\`,
  a fresh \`DATA_DIR\` and a consumer group of its own, registers them with
  its relay publishing meanwhile; timed from its consumer's start (the log
  line once kafkajs joined the group) to the first poll (every 25 ms) that
  counts them all in the event log, then checked: every ticket once and the
  group's committed offsets at the end of the topic. Baseline: a bare kafkajs
  consumer, also in a child process, reading the same messages and inserting
  the same ComplaintRegistered rows with raw better-sqlite3, one per
  transaction, timed the same way (and, in the details, kafkajs alone: a
  consumer that only parses them). Target: ≥ 2,000 registrations/s. The
  relay: the server starts again on that log with no relay checkpoint and
  topics of its own, so its relay publishes every event from position 0;
  timed from its start (its log line) to the checkpoint write at the head of
  the log. Baseline: a plain kafkajs producer, in a fresh child process as
  well, with the relay's settings (idempotent, acks from all replicas, one
  request in flight, the Java partitioner) sending the same keys, values and
  headers, built beforehand, 1,000 per request, from its connect to the last
  acknowledgement. Target: ratio ≥ 0.5.
- **(g)** PostgreSQL (issue 6), on the server of \`BENCH_DATABASE_URL\`, else
  \`DATABASE_URL\`, else the local one (127.0.0.1:5432), in a database of its
  own (\`complaints_bench\`, C collation; \`synchronous_commit\` and \`fsync\`
  as the server has them, on here), schemas of the run dropped at the end.
  The append path: \`PostgresEventStore.append\` of one RegisterComplaint
  event (the JSON of (a)), opened as the server opens it (a pool of 10,
  LISTEN), 1 in flight and 64 in flight (its group commit), against raw pg
  INSERTs of the same rows into a table of the same shape (identity
  position, unique event id, unique stream and revision), each a statement
  of its own (autocommit): 1 in flight on one connection, and 64 in flight
  on a pool of eight connections (and, in the details, queued on one).
  In each round the sides take turns of 0.5 s (3 s each in all, by
  default), so that a burst of other work on the shared machine falls on all
  of them; afterwards every resolved append is counted at gap-free positions. Targets: ratio ≥ 0.5 at 1 in flight (issue 6),
  ≥ 1 against eight connections at 64. The rebuild: the first 250,000 events
  of (d)'s demo log (\`--pg-events\`; 0 for all ~1.3M, about 6 minutes a round
  here) copied once into the benchmark's database by \`npm run
  store:migrate\`'s copy (kept between runs), then in processes of their own
  the raw paged \`PostgresEventStore.readAll\` scan (pages as the runner reads
  them) and \`ProjectionRunner.rebuild()\` of \`allProjections()\` into a new
  read-model schema. Target: the rebuild applies at least as fast as the
  store appends with 64 in flight in the same run (else the cluster's runner
  falls behind at peak). PostgreSQL shares the machine's CPUs.

Options: \`npm run bench -- --help\` (e.g. \`--only a,b\`, \`--seconds 10\`, \`--rounds 3\`,
\`--no-docs\`, \`--replace-docs\`, \`--profile-server DIR\`, \`--prepare\`, \`--demo-per-day N\`,
\`--stats-runs N\`, \`--kafka-messages N\`, \`--pg-events N\`).

${MARKER}
`;

export function runSection(machine: Machine, command: string, results: readonly BenchResult[], errors: readonly string[]): string {
  const lines = [
    `## Run of ${machine.date}`,
    '',
    `- Machine: ${machine.nproc} CPUs (\`nproc\`), ${machine.cpu}, ${machine.memory} RAM, ${machine.os}, temp files in \`${machine.tmpdir}\``,
    `- Node ${machine.node}`,
    `- Command: \`${command}\``,
    '',
    markdownTable(results),
    '',
  ];
  for (const r of results) {
    lines.push(`${LETTER[r.id]} ${r.title}: system = ${r.system.label}; raw = ${r.raw?.label ?? 'none'}.`, '');
    for (const d of r.details) lines.push(`- ${d}`);
    lines.push('');
  }
  for (const e of errors) lines.push(`- **Error:** ${e}`, '');
  return lines.join('\n');
}

/** Puts the run at the top of the runs in `file`; older runs stay below it unless `keepHistory` is false. */
export function writeDocs(file: string, section: string, keepHistory: boolean): void {
  let older = '';
  if (keepHistory && existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    const at = text.indexOf(MARKER);
    if (at >= 0) older = text.slice(at + MARKER.length).trim();
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${HEADER}\n${section.trim()}\n${older ? `\n${older}\n` : ''}`);
}
