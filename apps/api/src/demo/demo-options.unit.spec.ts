import { DemoUsageError, parseDemoArgs } from './demo-options';
import { formatShanghai, nextWorkingTime, shanghaiMidnight } from './sim-time';
import { Rng } from './prng';

describe('npm run demo: the command line', () => {
  it('has defaults for everything', () => {
    expect(parseDemoArgs([], {})).toEqual({ days: 30, perDay: 500, seed: '1', dataDir: './data', start: undefined, append: false, concurrency: 32 });
    expect(parseDemoArgs([], { DATA_DIR: '/srv/complaints' })).toMatchObject({ dataDir: '/srv/complaints' });
  });

  it('reads every option', () => {
    expect(
      parseDemoArgs(['--days', '2', '--per-day', '20', '--seed', 'spring-7', '--data-dir', '/tmp/x', '--start', '2026-02-28', '--append', '--concurrency', '8']),
    ).toEqual({ days: 2, perDay: 20, seed: 'spring-7', dataDir: '/tmp/x', start: '2026-02-28', append: true, concurrency: 8 });
    expect(parseDemoArgs(['--help'])).toBe('help');
  });

  it.each([
    [['--days', '0'], '--days must be a positive integer, e.g. --days 30 (got "0")'],
    [['--days', '2.5'], '--days must be a positive integer'],
    [['--days', 'ten'], '--days must be a positive integer'],
    [['--per-day=-5'], '--per-day must be a positive integer'],
    [['--per-day', '-5'], "Option '--per-day' argument is ambiguous"],
    [['--per-day', '1000000'], '--per-day must be at most 100,000'],
    [['--concurrency', '0'], '--concurrency must be a positive integer'],
    [['--seed', 'a b'], '--seed must be a number or a word'],
    [['--start', '2026-02-30'], '--start must be a date as YYYY-MM-DD'],
    [['--start', 'tomorrow'], '--start must be a date as YYYY-MM-DD'],
    [['--dayz', '3'], "Unknown option '--dayz'"],
    [['30'], 'Unexpected argument'],
  ])('refuses %j with a clear message', (argv, message) => {
    expect(() => parseDemoArgs(argv)).toThrow(DemoUsageError);
    expect(() => parseDemoArgs(argv)).toThrow(message);
  });
});

describe('simulated time (Asia/Shanghai)', () => {
  it('starts a day at local midnight', () => {
    expect(new Date(shanghaiMidnight('2026-10-01') as number).toISOString()).toBe('2026-09-30T16:00:00.000Z');
    expect(formatShanghai(shanghaiMidnight('2026-10-01') as number)).toBe('2026-10-01 00:00');
  });

  it('moves work outside 08:30 to 21:00 into the next morning', () => {
    const rng = new Rng('test');
    const evening = Date.parse('2026-10-01T13:30:00Z'); // 21:30 local
    const next = nextWorkingTime(evening, rng);
    expect(formatShanghai(next) >= '2026-10-02 08:30').toBe(true);
    expect(formatShanghai(next) < '2026-10-02 09:30').toBe(true);
    const noon = Date.parse('2026-10-01T04:00:00Z');
    expect(nextWorkingTime(noon, rng)).toBe(noon);
  });

  it('draws the same numbers from the same seed', () => {
    const draw = (seed: string) => {
      const rng = new Rng(seed);
      return Array.from({ length: 5 }, () => rng.float());
    };
    const a = new Rng('demo', 1);
    const b = new Rng('demo', 1);
    expect([a.float(), a.int(1, 6), a.yuan(5, 300)]).toEqual([b.float(), b.int(1, 6), b.yuan(5, 300)]);
    expect(draw('x')).toEqual(draw('x'));
    expect(draw('x')).not.toEqual(draw('y'));
  });
});
