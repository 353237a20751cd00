export const BENCHMARKS = ['a', 'b', 'c', 'd', 'e', 'f', 'g'] as const;
export type BenchmarkId = (typeof BENCHMARKS)[number];

export interface BenchOptions {
  only: BenchmarkId[];
  /** alternating rounds per benchmark: raw, system, raw, system, ... */
  rounds: number;
  /** length of one in-process round (a, b) */
  roundSeconds: number;
  /** length of one HTTP round (c) */
  seconds: number;
  /** warm-up before the first round of each side */
  warmupSeconds: number;
  /** commands in flight in (b) */
  inflight: number;
  /** autocannon connections in (c) */
  connections: number;
  /** write docs/benchmarks.md */
  docs: boolean;
  /** keep the older runs in docs/benchmarks.md below the new one */
  keepHistory: boolean;
  /** run the (c) server child under --cpu-prof, profiles into this directory */
  profileDir?: string;
  /** only generate (or find) the demo log of (d), then stop */
  prepare: boolean;
  /** generate the demo log of (d) anew even when the cache has it */
  regenerate: boolean;
  /** the demo traffic of (d): `npm run demo -- --days --per-day --seed --start` */
  demo: { days: number; perDay: number; seed: string; start: string };
  /** statsSummary runs timed in (d) */
  statsRuns: number;
  /** 10086 messages registered from Kafka in (f), and so events the relay publishes */
  kafkaMessages: number;
  /** the first N events of (d)'s demo log that (g) copies to PostgreSQL and rebuilds from; 0: all of them */
  pgEvents: number;
}

export const USAGE = `npm run bench -- [options]

  --only a,b,c          which benchmarks (default all)
                          a: in-process commands one at a time vs raw one-row transactions
                          b: in-process commands, --inflight at a time (group commit) vs the same raw figure
                          c: POST /api/complaints over HTTP (server in a child) vs a bare Fastify + raw insert route
                          d: read models on a month of demo traffic (~1M events): rebuild of every projection vs the
                             raw paged readAll scan, statsSummary of the month, an asOf desk queue
                          e: the deadline scheduler restarted with 100,000 pending deadlines: time to schedule them,
                             peak RSS, firing lateness of a steady stream, firing rate of a burst
                          f: Kafka (the broker of npm run kafka:start, started if it does not answer): --kafka-messages
                             10086 messages registered end to end by the server in a child vs a bare kafkajs consumer +
                             raw insert; the outbound relay publishing the log vs a plain kafkajs producer
                          g: PostgreSQL (BENCH_DATABASE_URL, else DATABASE_URL, else the local server): PostgresEventStore
                             appends, 1 and 64 in flight, vs raw pg INSERTs of the same rows on 1 and on 8 connections;
                             every projection rebuilt on PostgreSQL from --pg-events of d's demo log vs the raw scan
  --rounds N            alternating rounds raw/system per benchmark (default 2); medians are reported
  --round-seconds S     seconds per in-process round of a and b (default 3)
  --seconds S           seconds per HTTP round of c (default 10)
  --warmup S            warm-up seconds before the first round of each side (default 3)
  --inflight N          commands in flight in b (default 64)
  --connections N       HTTP connections in c (default 64)
  --no-docs             do not write docs/benchmarks.md
  --replace-docs        overwrite docs/benchmarks.md instead of keeping older runs below the new one
  --profile-server DIR  run the server of c (and the servers of f) under node --cpu-prof, writing the profiles into DIR
  --prepare             only generate the demo log of d (or find it in .cache/bench/), then stop
  --regenerate          generate the demo log of d anew even when .cache/bench/ has it
  --demo-days N         simulated days of the demo log of d (default 30)
  --demo-per-day N      complaints per simulated day (default 3500: about 1,000,000 events in 30 days)
  --demo-seed S         the demo's seed (default 1)
  --stats-runs N        statsSummary runs timed in d (default 50)
  --kafka-messages N    10086 messages of f, registered and then relayed (default 30000)
  --pg-events N         the first N events of d's demo log that g copies to PostgreSQL and rebuilds (default 250000; 0: all)
  --help
`;

export function parseOptions(argv: readonly string[]): BenchOptions | 'help' {
  const options: BenchOptions = {
    only: [...BENCHMARKS],
    rounds: 2,
    roundSeconds: 3,
    seconds: 10,
    warmupSeconds: 3,
    inflight: 64,
    connections: 64,
    docs: true,
    keepHistory: true,
    prepare: false,
    regenerate: false,
    demo: { days: 30, perDay: 3500, seed: '1', start: '2026-10-01' },
    statsRuns: 50,
    kafkaMessages: 30_000,
    pgEvents: 250_000,
  };
  const args = [...argv];
  const value = (flag: string): string => {
    const v = args.shift();
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
    return v;
  };
  const positive = (flag: string, integer: boolean): number => {
    const n = Number(value(flag));
    if (!(n > 0) || (integer && !Number.isInteger(n))) throw new Error(`${flag} must be a positive ${integer ? 'integer' : 'number'}`);
    return n;
  };
  while (args.length > 0) {
    const raw = args.shift() as string;
    // --flag=value as well as --flag value
    const eq = raw.indexOf('=');
    const flag = raw.startsWith('--') && eq > 0 ? raw.slice(0, eq) : raw;
    if (flag !== raw) args.unshift(raw.slice(eq + 1));
    switch (flag) {
      case '--only': {
        const ids = value(flag).split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
        const unknown = ids.filter((id) => !(BENCHMARKS as readonly string[]).includes(id));
        if (unknown.length > 0 || ids.length === 0) throw new Error(`--only takes a comma-separated subset of ${BENCHMARKS.join(',')}`);
        options.only = BENCHMARKS.filter((id) => ids.includes(id));
        break;
      }
      case '--rounds':
        options.rounds = positive(flag, true);
        break;
      case '--round-seconds':
        options.roundSeconds = positive(flag, false);
        break;
      case '--seconds':
        options.seconds = positive(flag, true);
        break;
      case '--warmup':
        options.warmupSeconds = positive(flag, false);
        break;
      case '--inflight':
        options.inflight = positive(flag, true);
        break;
      case '--connections':
        options.connections = positive(flag, true);
        break;
      case '--no-docs':
        options.docs = false;
        break;
      case '--replace-docs':
        options.keepHistory = false;
        break;
      case '--profile-server':
        options.profileDir = value(flag);
        break;
      case '--prepare':
        options.prepare = true;
        break;
      case '--regenerate':
        options.regenerate = true;
        break;
      case '--demo-days':
        options.demo.days = positive(flag, true);
        break;
      case '--demo-per-day':
        options.demo.perDay = positive(flag, true);
        break;
      case '--demo-seed': {
        const seed = value(flag);
        if (!/^[A-Za-z0-9._-]{1,64}$/.test(seed)) throw new Error(`${flag} must be a word of letters, digits, ".", "_" or "-"`);
        options.demo.seed = seed;
        break;
      }
      case '--stats-runs':
        options.statsRuns = positive(flag, true);
        break;
      case '--kafka-messages':
        options.kafkaMessages = positive(flag, true);
        break;
      case '--pg-events': {
        const n = Number(value(flag));
        if (!(Number.isInteger(n) && n >= 0)) throw new Error(`${flag} must be a whole number (0: every event)`);
        options.pgEvents = n;
        break;
      }
      case '--help':
      case '-h':
        return 'help';
      default:
        throw new Error(`unknown option ${raw}\n\n${USAGE}`);
    }
  }
  return options;
}
