export const BENCHMARKS = ['a', 'b', 'c'] as const;
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
}

export const USAGE = `npm run bench -- [options]

  --only a,b,c          which benchmarks (default all)
                          a: in-process commands one at a time vs raw one-row transactions
                          b: in-process commands, --inflight at a time (group commit) vs the same raw figure
                          c: POST /api/complaints over HTTP (server in a child) vs a bare Fastify + raw insert route
  --rounds N            alternating rounds raw/system per benchmark (default 2); medians are reported
  --round-seconds S     seconds per in-process round of a and b (default 3)
  --seconds S           seconds per HTTP round of c (default 10)
  --warmup S            warm-up seconds before the first round of each side (default 3)
  --inflight N          commands in flight in b (default 64)
  --connections N       HTTP connections in c (default 64)
  --no-docs             do not write docs/benchmarks.md
  --replace-docs        overwrite docs/benchmarks.md instead of keeping older runs below the new one
  --profile-server DIR  run the server of c under node --cpu-prof, writing the profile into DIR
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
      case '--help':
      case '-h':
        return 'help';
      default:
        throw new Error(`unknown option ${raw}\n\n${USAGE}`);
    }
  }
  return options;
}
