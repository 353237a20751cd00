import { EventStore, newEventId } from '@complaints/event-store';

/**
 * Appends `count` events spread over `streams` streams (`stream-0`, …) and
 * returns how many each stream got. Appends run concurrently in groups, so
 * the SQLite store commits many per transaction.
 */
export async function appendEvents(
  store: Pick<EventStore, 'append'>,
  count: number,
  options: { streams?: number; data?: (n: number) => Record<string, unknown> } = {},
): Promise<Map<string, number>> {
  const streams = options.streams ?? 10;
  const perStream = new Map<string, number>();
  const chunk = 2000;
  for (let start = 0; start < count; start += chunk) {
    const byStream = new Map<string, { id: string; type: string; data: unknown }[]>();
    for (let n = start; n < Math.min(start + chunk, count); n++) {
      const streamId = `stream-${n % streams}`;
      const events = byStream.get(streamId) ?? [];
      events.push({ id: newEventId(), type: 'Counted', data: { n, ...options.data?.(n) } });
      byStream.set(streamId, events);
      perStream.set(streamId, (perStream.get(streamId) ?? 0) + 1);
    }
    await Promise.all([...byStream].map(([streamId, events]) => store.append(streamId, events, { expectedRevision: 'any' })));
  }
  return perStream;
}

/** Merges counts of several appendEvents calls. */
export function addCounts(...counts: Map<string, number>[]): Map<string, number> {
  const total = new Map<string, number>();
  for (const map of counts) for (const [stream, n] of map) total.set(stream, (total.get(stream) ?? 0) + n);
  return total;
}
