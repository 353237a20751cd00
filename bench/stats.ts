import { performance } from 'perf_hooks';
import { readFileSync } from 'fs';

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** 12345.6 → "12,346" */
export function fmtInt(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a';
}

export function fmt(n: number, digits = 2): string {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
}

/** the rounds of one side, for the progress lines: "3,512 | 3,498" */
export function listRounds(values: readonly number[]): string {
  return values.map(fmtInt).join(' | ');
}

export function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The machine's CPU time so far from /proc/stat (Linux), in ticks: all of it, and what the hypervisor stole. */
export function cpuTicks(): { total: number; steal: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user
    const total = fields.slice(0, 8).reduce((sum, n) => sum + n, 0);
    return { total, steal: fields[7] ?? 0 };
  } catch {
    return undefined;
  }
}

/** "host steal 12% of CPU time" between two cpuTicks() readings, or undefined off Linux */
export function stealBetween(before: ReturnType<typeof cpuTicks>, after: ReturnType<typeof cpuTicks>): string | undefined {
  if (!before || !after || after.total <= before.total) return undefined;
  const share = (after.steal - before.steal) / (after.total - before.total);
  return `CPU time stolen by the hypervisor during this benchmark: ${(100 * share).toFixed(1)}% (from /proc/stat; high values mean a noisy host)`;
}

/** operations done in a time */
export interface Timed {
  ops: number;
  seconds: number;
}

export const rate = (t: Timed): number => t.ops / t.seconds;

/** `concurrency` loops of `op` until `seconds` are up; each loop starts its next op when the last one settled */
export async function runFor(seconds: number, concurrency: number, op: () => Promise<unknown>): Promise<Timed> {
  const start = performance.now();
  const end = start + seconds * 1000;
  let ops = 0;
  const loop = async () => {
    do {
      await op();
      ops++;
    } while (performance.now() < end);
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return { ops, seconds: (performance.now() - start) / 1000 };
}
