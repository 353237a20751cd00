import { EventLogImport } from '../event-log-import';
import { EventStore, RecordedEvent } from '../event-store.port';

/**
 * Copies an event log from one store to another, in position order, for
 * `npm run store:migrate`. Resumable without any state of its own: the target
 * holds a prefix of the source's log (the events are imported at their own
 * positions), so its head says where to go on, after a check that the target
 * really holds that prefix.
 */

export interface CopyProgress {
  /** the last position copied */
  position: number;
  /** the source's head when the copy started: where it ends */
  head: number;
  /** where the target stood when this run started */
  startedFrom: number;
}

export interface CopyOptions {
  /** events read and imported at a time (one transaction in the SQL targets); default 1000 */
  batchSize?: number;
  /** aborted: the copy stops after the batch in flight and reports where it stopped */
  signal?: AbortSignal;
  onProgress?: (progress: CopyProgress) => void;
}

export interface CopyResult extends CopyProgress {
  /** stopped by the signal before the head */
  interrupted: boolean;
}

/** The target cannot receive the source's log: it holds something else. Nothing was written. */
export class CopyRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CopyRefusedError';
  }
}

export async function copyEventLog(source: EventStore, target: EventStore & EventLogImport, options: CopyOptions = {}): Promise<CopyResult> {
  const batchSize = options.batchSize ?? 1000;
  if (!(Number.isSafeInteger(batchSize) && batchSize > 0)) throw new RangeError(`batch size ${batchSize} is not a positive integer`);
  // Copied up to the head seen now: events appended to the source later are left for the next run.
  const head = await source.headPosition();
  const startedFrom = await target.headPosition();
  await assertTargetHoldsPrefix(source, target, startedFrom, head);

  let position = startedFrom;
  options.onProgress?.({ position, head, startedFrom });
  while (position < head) {
    if (options.signal?.aborted) return { position, head, startedFrom, interrupted: true };
    const batch = await source.readAll({ fromPosition: position, limit: Math.min(batchSize, head - position) });
    if (batch.length === 0) throw new Error(`the source ends at position ${position}, before its head ${head}`);
    batch.forEach((event, i) => {
      if (event.position !== position + 1 + i) throw new Error(`the source has no event at position ${position + 1 + i} (next: ${event.position}): its log has a gap`);
    });
    await target.importEvents(batch);
    position = batch[batch.length - 1].position;
    options.onProgress?.({ position, head, startedFrom });
  }
  const copied = await target.headPosition();
  if (copied !== head) throw new Error(`the target's head is ${copied} after the copy, not ${head}: did something else write to it?`);
  return { position, head, startedFrom, interrupted: false };
}

/**
 * The target is empty, or holds the source's first `targetHead` events: its
 * first and its last event are the source's at the same positions (same id,
 * stream, revision and type). Anything else is another log.
 */
async function assertTargetHoldsPrefix(source: EventStore, target: EventStore, targetHead: number, sourceHead: number): Promise<void> {
  if (targetHead === 0) return;
  if (targetHead > sourceHead) {
    throw new CopyRefusedError(`the target holds ${targetHead} events, the source ${sourceHead}: the target holds another log`);
  }
  for (const position of new Set([1, targetHead])) {
    const [inSource] = await source.readAll({ fromPosition: position - 1, limit: 1 });
    const [inTarget] = await target.readAll({ fromPosition: position - 1, limit: 1 });
    if (!inSource || !inTarget || describe(inSource) !== describe(inTarget)) {
      throw new CopyRefusedError(
        `at position ${position} the target holds ${inTarget ? describe(inTarget) : 'nothing'}, the source ${inSource ? describe(inSource) : 'nothing'}: ` +
          'the target holds another log. Copy into an empty store, or into the one an interrupted copy of this source left.',
      );
    }
  }
}

function describe(event: RecordedEvent): string {
  return `event ${event.id} (${event.type}, revision ${event.revision} of ${event.streamId})`;
}
