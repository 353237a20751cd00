import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newEventId } from '../event-id';
import { RecordedEvent } from '../event-store.port';
import { SqliteEventStore } from './sqlite.event-store';

// What the SQLite adapter adds to the contract (event-store.contract.int.spec.ts): group commit and other processes.
describe('SqliteEventStore', () => {
  let dir: string;
  const opened: SqliteEventStore[] = [];
  const open = (options: Partial<ConstructorParameters<typeof SqliteEventStore>[0]> = {}) => {
    const store = new SqliteEventStore({ filename: join(dir, 'events.sqlite'), ...options });
    opened.push(store);
    return store;
  };
  const event = () => ({ id: newEventId(), type: 'Tested', data: {} });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-event-store-'));
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits the appends made in one turn in one transaction', async () => {
    const commits: { appends: number; events: number }[] = [];
    const store = open({ onCommit: (batch) => commits.push(batch) });

    await Promise.all(Array.from({ length: 64 }, (_, i) => store.append(`s-${i}`, [event(), event()], { expectedRevision: 'no_stream' })));

    expect(commits).toEqual([{ appends: 64, events: 128 }]);
  });

  it('takes at most maxBatch appends into one transaction', async () => {
    const commits: number[] = [];
    const store = open({ maxBatch: 100, onCommit: (batch) => commits.push(batch.appends) });

    await Promise.all(Array.from({ length: 250 }, () => store.append('s', [event()], { expectedRevision: 'any' })));

    expect(commits).toEqual([100, 100, 50]);
    expect((await store.readStream('s')).revision).toBe(250);
  });

  it('delivers commits made through another connection to the file, found by polling', async () => {
    const subscriber = open({ pollIntervalMs: 50 });
    const writer = open();
    const delivered: RecordedEvent[] = [];
    const arrived = new Promise<void>((resolve) => {
      subscriber.subscribe(
        (e) => {
          delivered.push(e);
          resolve();
        },
        { fromPosition: 0 },
      );
    });
    await new Promise((resolve) => setTimeout(resolve, 20)); // the subscription is asleep now

    await writer.append('s', [event()], { expectedRevision: 'no_stream' });
    await arrived;

    expect(delivered.map((e) => e.revision)).toEqual([1]);
  });

  it('reads at once when caughtUp() is called, without waiting for the poll', async () => {
    const subscriber = open({ pollIntervalMs: 60_000 });
    const writer = open();
    const delivered: RecordedEvent[] = [];
    const subscription = subscriber.subscribe((e) => void delivered.push(e), { fromPosition: 0 });
    await subscription.caughtUp();

    await writer.append('s', [event(), event()], { expectedRevision: 'no_stream' });
    await subscription.caughtUp();

    expect(delivered.map((e) => e.revision)).toEqual([1, 2]);
  });

  it('creates the directory of the file', async () => {
    const store = open({ filename: join(dir, 'nested', 'deeper', 'events.sqlite') });

    await expect(store.append('s', [event()], { expectedRevision: 'no_stream' })).resolves.toMatchObject({ written: true });
  });
});
