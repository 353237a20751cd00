import { performance } from 'perf_hooks';
import { setImmediate as yieldToIo } from 'timers/promises';
import type { EventStore } from '@complaints/event-store';

/** the raw scan's pages: as the projection runner reads, from its first batch doubling to its largest */
export const RAW_FIRST_PAGE = 2000;
export const RAW_MAX_PAGE = 10_000;

/** CPU seconds (user + system) of this process since `since` */
export const cpuSeconds = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
};

/** The raw baseline of the rebuilds: the whole log read with `readAll`, page after page, and nothing else done with it. */
export async function scanLog(store: EventStore): Promise<{ events: number; pages: number; seconds: number; cpuSeconds: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  let from = 0;
  let events = 0;
  let pages = 0;
  let limit = RAW_FIRST_PAGE;
  for (;;) {
    const page = await store.readAll({ fromPosition: from, limit });
    pages++;
    events += page.length;
    if (page.length < limit) break;
    from = page[page.length - 1].position;
    limit = Math.min(limit * 2, RAW_MAX_PAGE);
    await yieldToIo(); // as the runner does between batches
  }
  return { events, pages, seconds: (performance.now() - started) / 1000, cpuSeconds: cpuSeconds(cpu) };
}
