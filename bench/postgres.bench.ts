/**
 * (g) PostgreSQL (issue 6): the append path of PostgresEventStore against raw
 * pg INSERTs of the same rows in the same run, and every projection rebuilt
 * on PostgreSQL against the raw paged scan of the same log.
 */
import { fork } from 'child_process';
import { join, resolve } from 'path';
import { performance } from 'perf_hooks';
import { Client, Pool } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { EventStore, NewEvent, PostgresEventStore, ReadAllOptions, SqliteEventStore, copyEventLog } from '@complaints/event-store';
import { BenchOptions } from './options';
import { PostgresChildMessage } from './postgres-child';
import { prepareDataset } from './read-models.bench';
import { RAW_FIRST_PAGE, RAW_MAX_PAGE } from './log-scan';
import { RawRows } from './raw-table';
import { BenchResult } from './result';
import { scriptNodeOptions } from './start-node-options';
import { fmt, fmtInt, listRounds, log, median, rate, runFor, Timed } from './stats';

const ROOT = resolve(__dirname, '..', '..');
const REGISTER_PATHS = join(ROOT, 'tools', 'register-paths.js');
/** the server of the benchmark: BENCH_DATABASE_URL, else DATABASE_URL, else the local one; it runs in a database of its own */
const SERVER_URL = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const BENCH_DATABASE = 'complaints_bench';

const TARGET_SINGLE_RATIO = 0.5;
const TARGET_GROUP_RATIO = 1;
const IN_FLIGHT = 64;
const RAW_CONNECTIONS = 8;

function databaseUrl(database: string): string {
  const url = new URL(SERVER_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

const redacted = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');

/** the benchmark's own database on the server, created the first time (it keeps the copied demo log between runs) */
async function benchDatabase(): Promise<string> {
  const admin = new Client({ connectionString: SERVER_URL });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [BENCH_DATABASE]);
    if (rowCount === 0) await admin.query(`CREATE DATABASE ${BENCH_DATABASE} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
    const { rows } = await admin.query<{ version: string; synchronous_commit: string; fsync: string }>(
      "SELECT version() AS version, current_setting('synchronous_commit') AS synchronous_commit, current_setting('fsync') AS fsync",
    );
    log(`[g] ${rows[0].version.split(' on ')[0]}, synchronous_commit=${rows[0].synchronous_commit}, fsync=${rows[0].fsync}; database ${BENCH_DATABASE} on ${redacted(SERVER_URL)}`);
  } finally {
    await admin.end();
  }
  return databaseUrl(BENCH_DATABASE);
}

async function dropSchemas(url: string, schemas: readonly string[]): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** the length of one turn of a side in interleaved() */
const SLICE_SECONDS = 0.5;

/** Each side runs `seconds` in all, in turns of SLICE_SECONDS one after the other; their totals. */
async function interleaved(seconds: number, sides: readonly (() => Promise<Timed>)[]): Promise<Timed[]> {
  const totals = sides.map(() => ({ ops: 0, seconds: 0 }));
  for (let turn = 0; turn < Math.max(1, Math.round(seconds / SLICE_SECONDS)); turn++) {
    for (const [i, side] of sides.entries()) {
      const t = await side();
      totals[i].ops += t.ops;
      totals[i].seconds += t.seconds;
    }
  }
  return totals;
}

// ── the append path ───────────────────────────────────────────────────────

/** The events table of PostgresEventStore, alone: same columns, keys and types; positions from an identity column. */
function rawTableDdl(schema: string): string {
  return `
    CREATE SCHEMA "${schema}";
    CREATE TABLE "${schema}".events (
      position    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      stream_id   text        NOT NULL,
      revision    bigint      NOT NULL,
      event_id    text        NOT NULL UNIQUE,
      type        text        NOT NULL,
      data        json        NOT NULL,
      metadata    json        NOT NULL,
      recorded_at timestamptz NOT NULL,
      UNIQUE (stream_id, revision)
    );`;
}

/** One raw INSERT of a RegisterComplaint row, a statement (so a transaction, so a commit) of its own. */
function rawInsert(schema: string, rows: RawRows) {
  const text = `INSERT INTO "${schema}".events (stream_id, revision, event_id, type, data, metadata, recorded_at) VALUES ($1, 1, $2, $3, $4::json, $5::json, $6)`;
  return (db: Client | Pool) => {
    const row = rows.next();
    return db.query({ name: 'raw_insert', text, values: [row.streamId, row.eventId, row.type, row.data, row.metadata, new Date().toISOString()] });
  };
}

/** The same event, as the store is given it: the ComplaintRegistered data of the raw rows, with a new complaint id. */
function systemEvents(rows: RawRows): () => { streamId: string; event: NewEvent } {
  const template = rows.next();
  const data = JSON.parse(template.data) as Record<string, unknown>;
  const metadata = JSON.parse(template.metadata) as NewEvent['metadata'];
  return () => {
    const complaintId = uuidv7();
    return { streamId: `complaint-${complaintId}`, event: { id: uuidv7(), type: template.type, data: { ...data, complaintId }, metadata } };
  };
}

async function appendBenchmark(url: string, options: BenchOptions): Promise<BenchResult[]> {
  const suffix = `${process.pid}_${Date.now().toString(36)}`;
  const storeSchema = `bench_g_store_${suffix}`;
  const rawSchema = `bench_g_raw_${suffix}`;
  const commits = { batches: 0, appends: 0 };
  let store: PostgresEventStore | undefined;
  const one = new Client({ connectionString: url });
  const eight = new Pool({ connectionString: url, max: RAW_CONNECTIONS });
  try {
    // as the server opens it (a pool of 10, LISTEN), counting the appends of each commit
    store = await PostgresEventStore.open({ connectionString: url, schema: storeSchema, onCommit: ({ appends }) => ((commits.batches += 1), (commits.appends += appends)) });
    await one.connect();
    await one.query(rawTableDdl(rawSchema));
    const rows = new RawRows();
    const insert = rawInsert(rawSchema, rows);
    const next = systemEvents(new RawRows());
    let appended = 0;
    const append = async () => {
      const { streamId, event } = next();
      await store!.append(streamId, [event], { expectedRevision: 'no_stream' });
      appended++;
    };
    const payload = `row payload (data + metadata JSON): ${rows.payloadBytes} bytes`;

    log(`[g] append path: schemas ${storeSchema}, ${rawSchema}; warm-up ${options.warmupSeconds} s each side`);
    await runFor(Math.min(options.warmupSeconds, 1), 1, () => insert(one));
    await runFor(Math.min(options.warmupSeconds, 1), RAW_CONNECTIONS, () => insert(eight));
    await runFor(options.warmupSeconds, IN_FLIGHT, append);

    const single = { raw: [] as number[], system: [] as number[] };
    const group = { raw: [] as number[], rawOneConnection: [] as number[], system: [] as number[], appendsPerCommit: [] as number[] };
    // one connection runs one statement at a time: the 64 wait their turn (as pg would queue them)
    let turn: Promise<unknown> = Promise.resolve();
    const queuedOnOne = () => (turn = turn.then(() => insert(one)));
    for (let round = 1; round <= options.rounds; round++) {
      // the machine is shared: the sides take turns in short slices, so a burst of other work falls on both
      const [r1, s1] = await interleaved(options.roundSeconds, [() => runFor(SLICE_SECONDS, 1, () => insert(one)), () => runFor(SLICE_SECONDS, 1, append)]);
      single.raw.push(rate(r1));
      single.system.push(rate(s1));
      log(`[g] round ${round}/${options.rounds} 1 in flight : raw (1 connection) ${fmtInt(rate(r1))} inserts/s, system ${fmtInt(rate(s1))} appends/s`);

      const before = { ...commits };
      const [r8, r1x, s64] = await interleaved(options.roundSeconds, [
        () => runFor(SLICE_SECONDS, IN_FLIGHT, () => insert(eight)),
        () => runFor(SLICE_SECONDS, IN_FLIGHT, queuedOnOne),
        () => runFor(SLICE_SECONDS, IN_FLIGHT, append),
      ]);
      group.raw.push(rate(r8));
      group.rawOneConnection.push(rate(r1x));
      group.system.push(rate(s64));
      group.appendsPerCommit.push((commits.appends - before.appends) / Math.max(1, commits.batches - before.batches));
      log(
        `[g] round ${round}/${options.rounds} ${IN_FLIGHT} in flight: raw (${RAW_CONNECTIONS} connections) ${fmtInt(rate(r8))} inserts/s, raw (1 connection) ${fmtInt(rate(r1x))} inserts/s, ` +
          `system ${fmtInt(rate(s64))} appends/s (${fmt(group.appendsPerCommit.at(-1)!, 1)} appends a commit)`,
      );
    }

    // every append that resolved is a row of the store's table, at gap-free positions
    const { rows: stored } = await one.query<{ n: string; head: string }>(`SELECT count(*) AS n, max(position) AS head FROM "${storeSchema}".events`);
    if (Number(stored[0].n) !== appended || Number(stored[0].head) !== appended) {
      throw new Error(`${appended} appends resolved but ${stored[0].n} events are stored (head ${stored[0].head})`);
    }
    const singleRatio = median(single.system) / median(single.raw);
    const groupRatio = median(group.system) / median(group.raw);
    log(`[g] 1 in flight: ratio ${fmt(singleRatio)} (target >= ${TARGET_SINGLE_RATIO}); ${IN_FLIGHT} in flight: ratio ${fmt(groupRatio)} to ${RAW_CONNECTIONS} connections (target >= ${TARGET_GROUP_RATIO})`);
    return [
      {
        id: 'g',
        title: 'PostgresEventStore.append of RegisterComplaint events, 1 in flight',
        unit: 'appends/s',
        system: { label: 'PostgresEventStore.append (lock the head row, look up stream and id, INSERT, COMMIT), its pool of 10', rounds: single.system, median: median(single.system), cell: `${fmtInt(median(single.system))} appends/s` },
        raw: { label: 'pg INSERT of the same row into a table of the same shape (identity position), autocommit, 1 connection, 1 in flight', rounds: single.raw, median: median(single.raw), cell: `${fmtInt(median(single.raw))} inserts/s` },
        ratio: singleRatio,
        target: `ratio >= ${TARGET_SINGLE_RATIO}`,
        pass: singleRatio >= TARGET_SINGLE_RATIO,
        details: [`rounds raw: ${listRounds(single.raw)} inserts/s; system: ${listRounds(single.system)} appends/s`, payload],
      },
      {
        id: 'g',
        title: `PostgresEventStore.append of RegisterComplaint events, ${IN_FLIGHT} in flight (group commit)`,
        unit: 'appends/s',
        system: { label: `PostgresEventStore.append, ${IN_FLIGHT} in flight: the appends of a turn share one transaction`, rounds: group.system, median: median(group.system), cell: `${fmtInt(median(group.system))} appends/s` },
        raw: {
          label: `pg INSERT of the same rows, autocommit, ${IN_FLIGHT} in flight on a pool of ${RAW_CONNECTIONS} connections`,
          rounds: group.raw,
          median: median(group.raw),
          cell: `${fmtInt(median(group.raw))} inserts/s (${RAW_CONNECTIONS} conn.); ${fmtInt(median(group.rawOneConnection))} (1 conn.)`,
        },
        ratio: groupRatio,
        target: `ratio >= ${TARGET_GROUP_RATIO} (to ${RAW_CONNECTIONS} connections)`,
        pass: groupRatio >= TARGET_GROUP_RATIO,
        details: [
          `rounds raw on ${RAW_CONNECTIONS} connections: ${listRounds(group.raw)} inserts/s; raw on 1 connection (${IN_FLIGHT} queued on it): ${listRounds(group.rawOneConnection)} inserts/s; system: ${listRounds(group.system)} appends/s`,
          `system appends per commit: ${group.appendsPerCommit.map((n) => fmt(n, 1)).join(' | ')}; ratio to 1 connection: ${fmt(median(group.system) / median(group.rawOneConnection))}`,
          `${fmtInt(appended)} appends resolved and counted in the store's table, positions 1..${fmtInt(appended)} without a gap`,
        ],
      },
    ];
  } finally {
    await store?.close();
    await one.end().catch(() => undefined);
    await eight.end().catch(() => undefined);
    await dropSchemas(url, [storeSchema, rawSchema]);
  }
}

// ── the rebuild ───────────────────────────────────────────────────────────

/** The first `limit` events of a log, as a log: what copyEventLog reads. */
function prefixOf(store: EventStore, limit: number): EventStore {
  return {
    append: () => Promise.reject(new Error('read only')),
    readStream: (streamId, options) => store.readStream(streamId, options),
    readAll: async (options: ReadAllOptions) => {
      const left = limit - options.fromPosition;
      if (left <= 0) return [];
      return store.readAll({ fromPosition: options.fromPosition, limit: Math.min(options.limit ?? left, left) });
    },
    headPosition: async () => Math.min(limit, await store.headPosition()),
    subscribe: () => {
      throw new Error('not subscribed');
    },
    close: () => store.close(),
  };
}

function runChild(args: string[]): Promise<PostgresChildMessage> {
  return new Promise((resolvePromise, reject) => {
    // as `npm run projections`: a rebuild runs with that script's heap
    const child = fork(join(__dirname, 'postgres-child.js'), args, { execArgv: [...scriptNodeOptions('projections'), '-r', REGISTER_PATHS], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let answer: PostgresChildMessage | undefined;
    child.on('message', (message: PostgresChildMessage) => (answer = message));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (answer?.type === 'failed') reject(new Error(answer.error));
      else if (answer) resolvePromise(answer);
      else reject(new Error(`postgres-child ${args[0]} exited (${signal ?? code}) without an answer`));
    });
  });
}

const MB = 2 ** 20;

/**
 * The rebuild against the raw scan of the same log. Target: the projections
 * apply at least as fast as the store appends with 64 in flight in this run
 * (its group-commit peak), or the runner of a cluster falls behind at peak.
 */
async function rebuildBenchmark(url: string, options: BenchOptions, peakAppendRate: number): Promise<BenchResult> {
  const dataset = await prepareDataset(options);
  const source = new SqliteEventStore({ filename: dataset.eventsFile, synchronous: 'NORMAL' });
  const events = options.pgEvents > 0 ? Math.min(options.pgEvents, dataset.events) : dataset.events;
  const { days, perDay, seed } = options.demo;
  // kept between runs in the benchmark's database: the copy resumes, or finds itself complete
  const logSchema = `demo_${days}d_${perDay}pd_seed${seed}_${events}`.replace(/[^a-z0-9_]/g, '_').slice(0, 48);
  let copied;
  const started = performance.now();
  const target = await PostgresEventStore.open({ connectionString: url, schema: logSchema, listen: false, poolSize: 2 });
  try {
    log(`[g] the first ${fmtInt(events)} of ${fmtInt(dataset.events)} demo events, in schema ${logSchema} (npm run store:migrate's copy; resumed or found complete)`);
    let lastLine = 0;
    copied = await copyEventLog(prefixOf(source, events), target, {
      batchSize: 5000,
      onProgress: ({ position, head }) => {
        if (performance.now() - lastLine < 10_000 && position < head) return;
        lastLine = performance.now();
        log(`[g] copy: ${fmtInt(position)}/${fmtInt(head)}`);
      },
    });
  } finally {
    await target.close();
    await source.close();
  }
  const copySeconds = (performance.now() - started) / 1000;

  const raw: Extract<PostgresChildMessage, { type: 'raw' }>[] = [];
  const rebuilt: Extract<PostgresChildMessage, { type: 'rebuilt' }>[] = [];
  const readModelSchema = `bench_g_read_models_${process.pid}`;
  try {
    for (let round = 1; round <= options.rounds; round++) {
      const r = await runChild(['raw', url, logSchema]);
      if (r.type !== 'raw') throw new Error(`raw answered ${r.type}`);
      raw.push(r);
      log(`[g] round ${round}/${options.rounds} raw scan: ${fmtInt(r.events / r.seconds)} events/s (${fmtInt(r.events)} in ${fmt(r.seconds)} s, ${r.pages} pages, CPU ${fmt(r.cpuSeconds)} s)`);
      await dropSchemas(url, [readModelSchema]);
      const s = await runChild(['rebuild', url, logSchema, readModelSchema]);
      if (s.type !== 'rebuilt') throw new Error(`rebuild answered ${s.type}`);
      if (s.events !== r.events) throw new Error(`the rebuild read ${s.events} events, the raw scan ${r.events}`);
      rebuilt.push(s);
      log(`[g] round ${round}/${options.rounds} rebuild : ${fmtInt(s.events / s.seconds)} events/s (${fmtInt(s.events)} in ${fmt(s.seconds)} s, ${s.batches} batches, CPU ${fmt(s.cpuSeconds)} s, peak RSS ${fmtInt(s.peakRss / MB)} MB)`);
    }
    const client = new Client({ connectionString: url });
    await client.connect();
    let complaints = 0;
    let size = 0;
    try {
      complaints = Number((await client.query(`SELECT count(*) AS n FROM "${readModelSchema}".complaints`)).rows[0].n);
      size = Number(
        (await client.query(`SELECT sum(pg_total_relation_size(c.oid)) AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`, [readModelSchema])).rows[0].bytes,
      );
    } finally {
      await client.end();
    }
    const rawRates = raw.map((r) => r.events / r.seconds);
    const rebuildRates = rebuilt.map((s) => s.events / s.seconds);
    const ratio = median(rebuildRates) / median(rawRates);
    const keepsUp = median(rebuildRates) >= peakAppendRate;
    const partial = events < dataset.events ? ` (the first ${fmtInt(events)} of the ${fmtInt(dataset.events)} of (d)'s demo log: --pg-events)` : '';
    return {
      id: 'g',
      title: `rebuild of every projection on PostgreSQL from ${fmtInt(events)} demo events`,
      unit: 'events/s',
      system: {
        label: `ProjectionRunner.rebuild() of allProjections() into a new read-model schema (PostgresEventStore → projections → Kysely PostgresDialect), own process with the node options of \`npm run projections\` (${scriptNodeOptions('projections').join(' ')})`,
        rounds: rebuildRates,
        median: median(rebuildRates),
        cell: `${fmtInt(median(rebuildRates))} events/s, peak RSS ${fmtInt(Math.max(...rebuilt.map((s) => s.peakRss)) / MB)} MB`,
      },
      raw: { label: `PostgresEventStore.readAll in pages of ${fmtInt(RAW_FIRST_PAGE)} doubling to ${fmtInt(RAW_MAX_PAGE)} (as the runner reads), own process`, rounds: rawRates, median: median(rawRates), cell: `${fmtInt(median(rawRates))} events/s` },
      ratio,
      target: `>= the 64-in-flight append rate of this run (${fmtInt(peakAppendRate)}/s)`,
      pass: keepsUp,
      details: [
        `rounds raw: ${listRounds(rawRates)} events/s; rebuild: ${listRounds(rebuildRates)} events/s`,
        `rebuild: ${rebuilt.map((s) => `${fmt(s.seconds, 1)} s wall, ${fmt(s.cpuSeconds, 1)} s CPU in the process, ${s.batches} batches`).join(' | ')}; raw scan CPU ${raw.map((r) => fmt(r.cpuSeconds, 1)).join(' | ')} s`,
        `log: ${fmtInt(events)} events${partial}, ${copied.startedFrom === copied.head ? `found complete in schema ${logSchema}` : `copied from ${fmtInt(copied.startedFrom)} in ${fmt(copySeconds, 0)} s`}; rebuilt read models: ${fmtInt(complaints)} complaints, ${fmtInt(size / MB)} MB of tables and indexes`,
        'PostgreSQL runs on the same 2 CPUs: its backends take CPU the process does not count',
      ],
    };
  } finally {
    await dropSchemas(url, [readModelSchema]);
  }
}

export async function postgresBenchmark(options: BenchOptions): Promise<BenchResult[]> {
  const url = await benchDatabase();
  const append = await appendBenchmark(url, options);
  const rebuild = await rebuildBenchmark(url, options, append[1].system.median);
  return [...append, rebuild];
}
