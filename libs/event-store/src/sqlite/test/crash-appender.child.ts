/**
 * The child process of sqlite.crash.int.spec.ts: appends until it is killed,
 * and prints each append once it is acknowledged (its promise resolved), as
 * one JSON line. Every worker keeps its own stream, so it knows the revision
 * to expect; all workers together keep many appends in flight, so group
 * commit packs them into shared transactions.
 *
 * usage: node -r ts-node/register/transpile-only crash-appender.child.ts <file> <workers>
 */
import { newEventId } from '../../event-id';
import { NewEvent } from '../../event-store.port';
import { SqliteEventStore } from '../sqlite.event-store';

export interface Ack {
  streamId: string;
  ids: string[];
  nextRevision: number;
  lastPosition: number;
}

const [filename, workers] = process.argv.slice(2);
const store = new SqliteEventStore({ filename });

async function appendForever(worker: number): Promise<never> {
  const streamId = `worker-${worker}`;
  let { revision } = await store.readStream(streamId);
  for (let n = 0; ; n++) {
    // one event in two appends, up to five in the others
    const size = n % 2 === 0 ? 1 : 2 + (n % 4);
    const appendId = newEventId();
    const events: NewEvent[] = Array.from({ length: size }, (_, index) => ({
      id: newEventId(),
      type: 'CrashTested',
      data: { worker, n, index },
      metadata: { appendId, size, index },
    }));
    const result = await store.append(streamId, events, { expectedRevision: revision });
    revision = result.nextRevision;
    const ack: Ack = { streamId, ids: events.map((e) => e.id), ...result };
    process.stdout.write(`${JSON.stringify(ack)}\n`);
  }
}

for (let worker = 0; worker < Number(workers); worker++) {
  appendForever(worker).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
