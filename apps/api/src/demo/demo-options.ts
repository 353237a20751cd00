import { parseArgs } from 'node:util';
import { shanghaiMidnight } from './sim-time';

/** The first simulated day when none is given (and the store is empty): a fixed date, so a seed always means one history. */
export const DEFAULT_START = '2026-10-01';

export const DEMO_USAGE = `usage: npm run demo -- [--days N] [--per-day N] [--seed S] [--data-dir DIR] [--start YYYY-MM-DD] [--append] [--concurrency N]

Writes simulated complaint traffic through the command pipeline into the event store under DIR.

  --days N          simulated days (default 30)
  --per-day N       complaints registered per simulated day (default 500)
  --seed S          the same seed, --start and --per-day give the same history (default 1)
  --data-dir DIR    where the event store lives (default: DATA_DIR, else ./data)
  --start DATE      the first simulated day, Asia/Shanghai (default ${DEFAULT_START};
                    with --append on a store that has events: the day after its last event)
  --append          add to an event store that already holds events (refused otherwise)
  --concurrency N   commands in flight at once, across different complaints (default 32)
  -h, --help        this text`;

export interface DemoCliOptions {
  days: number;
  perDay: number;
  seed: string;
  dataDir: string;
  /** YYYY-MM-DD, or undefined for the default */
  start?: string;
  append: boolean;
  concurrency: number;
}

/** A bad command line: the message says what is wrong and how to say it right. */
export class DemoUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DemoUsageError';
  }
}

const MAX_DAYS = 3660;
const MAX_PER_DAY = 100_000;
const MAX_CONCURRENCY = 256;

function positiveInteger(flag: string, value: string | undefined, fallback: number, max: number, example: string): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) throw new DemoUsageError(`${flag} must be a positive integer, e.g. ${flag} ${example} (got "${value}")`);
  const n = Number(value);
  if (n > max) throw new DemoUsageError(`${flag} must be at most ${max.toLocaleString('en-US')} (got ${value})`);
  return n;
}

/** Reads the command line; every refusal is a {@link DemoUsageError}. */
export function parseDemoArgs(argv: readonly string[], env: NodeJS.ProcessEnv = {}): DemoCliOptions | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        days: { type: 'string' },
        'per-day': { type: 'string' },
        seed: { type: 'string' },
        'data-dir': { type: 'string' },
        start: { type: 'string' },
        append: { type: 'boolean' },
        concurrency: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new DemoUsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return 'help';
  const text = (name: string) => values[name] as string | undefined;

  const days = positiveInteger('--days', text('days'), 30, MAX_DAYS, '30');
  const perDay = positiveInteger('--per-day', text('per-day'), 500, MAX_PER_DAY, '500');
  const concurrency = positiveInteger('--concurrency', text('concurrency'), 32, MAX_CONCURRENCY, '32');

  const seed = text('seed') ?? '1';
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(seed)) {
    throw new DemoUsageError(`--seed must be a number or a word of letters, digits, ".", "_" or "-" (at most 64), e.g. --seed 1 (got "${seed}")`);
  }

  const start = text('start');
  if (start !== undefined && shanghaiMidnight(start) === undefined) {
    throw new DemoUsageError(`--start must be a date as YYYY-MM-DD, e.g. --start ${DEFAULT_START} (got "${start}")`);
  }

  const dataDir = text('data-dir') ?? env.DATA_DIR ?? './data';
  if (dataDir.trim() === '') throw new DemoUsageError('--data-dir must name a directory, e.g. --data-dir ./data');

  return { days, perDay, seed, dataDir, start, append: values.append === true, concurrency };
}
