import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newEventId } from '../event-id';
import { DuplicateEventIdError, RecordedEvent, WrongExpectedRevisionError } from '../event-store.port';
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

  it('rejects a failing append alone, leaving none of its events and no gap in the positions', async () => {
    const commits: number[] = [];
    const store = open({ onCommit: (batch) => commits.push(batch.appends) });
    const stored = event();
    await store.append('s', [stored], { expectedRevision: 'no_stream' });

    const results = await Promise.allSettled([
      store.append('a', [event()], { expectedRevision: 'no_stream' }),
      // its second event fails on the UNIQUE event_id after the first was written
      store.append('b', [event(), stored, event()], { expectedRevision: 'no_stream' }),
      store.append('s', [event()], { expectedRevision: 'no_stream' }), // the stream exists
      store.append('c', [event(), event()], { expectedRevision: 'no_stream' }),
    ]);

    expect(commits).toEqual([1, 4]);
    expect(results.map((r) => (r.status === 'rejected' ? (r.reason as Error).constructor : r.value))).toEqual([
      { nextRevision: 1, lastPosition: 2, written: true },
      DuplicateEventIdError,
      WrongExpectedRevisionError,
      { nextRevision: 2, lastPosition: 4, written: true },
    ]);
    expect((await store.readAll({ fromPosition: 0 })).map((e) => [e.position, e.streamId, e.revision])).toEqual([
      [1, 's', 1],
      [2, 'a', 1],
      [3, 'c', 1],
      [4, 'c', 2],
    ]);
  });

  it('hands its own commits to its subscriptions without reading them back', async () => {
    const store = open({ pollIntervalMs: 60_000 });
    const reads = jest.spyOn(store, 'readAll');
    const delivered: RecordedEvent[] = [];
    const subscription = store.subscribe((e) => void delivered.push(e), { fromPosition: 0 });
    await subscription.caughtUp();
    expect(reads).toHaveBeenCalledTimes(1);

    for (let i = 0; i < 5; i++) {
      await Promise.all(Array.from({ length: 10 }, (_, j) => store.append(`s-${j}`, [event(), event()], { expectedRevision: 'any' })));
    }
    await subscription.caughtUp();

    expect(reads).toHaveBeenCalledTimes(1);
    expect(delivered.map((e) => e.position)).toEqual(range(1, 100));
    expect(delivered).toEqual(await store.readAll({ fromPosition: 0 }));
  });

  it('reads what another connection committed between two of its own commits, without a gap or a repeat', async () => {
    const subscriber = open({ pollIntervalMs: 60_000 });
    const writer = open();
    const reads = jest.spyOn(subscriber, 'readAll');
    const delivered: RecordedEvent[] = [];
    const subscription = subscriber.subscribe((e) => void delivered.push(e), { fromPosition: 0 });
    await subscription.caughtUp();

    await subscriber.append('s', [event()], { expectedRevision: 'no_stream' }); // handed over
    await writer.append('t', [event(), event()], { expectedRevision: 'no_stream' }); // not seen by the subscriber yet
    await subscriber.append('s', [event()], { expectedRevision: 1 }); // follows a gap: read
    await subscription.caughtUp();

    expect(delivered.map((e) => [e.position, e.streamId])).toEqual([
      [1, 's'],
      [2, 't'],
      [3, 't'],
      [4, 's'],
    ]);
    expect(reads.mock.calls.length).toBeGreaterThanOrEqual(2);
  });

  it('reads the commits a slow handler let pile up rather than keeping them all, without a gap or a repeat', async () => {
    const store = open({ pollIntervalMs: 60_000 });
    const reads = jest.spyOn(store, 'readAll');
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const positions: number[] = [];
    const subscription = store.subscribe(
      async (e) => {
        if (e.position === 1) await released;
        positions.push(e.position);
      },
      { fromPosition: 0 },
    );

    for (let i = 0; i < 6; i++) {
      await Promise.all(Array.from({ length: 100 }, () => store.append('s', [event(), event(), event(), event(), event()], { expectedRevision: 'any' })));
    }
    release();
    await subscription.caughtUp();

    expect(positions).toEqual(range(1, 3000));
    // the first read found nothing, 1..2500 were handed over, and the rest had to be read
    expect(reads.mock.calls.length).toBeGreaterThanOrEqual(2);
  });

  it('drops the streams table of files written by earlier versions, and goes on from the events', async () => {
    const filename = join(dir, 'events.sqlite');
    const old = new Database(filename);
    old.exec(`
      CREATE TABLE events (
        position INTEGER PRIMARY KEY AUTOINCREMENT, stream_id TEXT NOT NULL, revision INTEGER NOT NULL,
        event_id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL,
        recorded_at TEXT NOT NULL, UNIQUE (stream_id, revision)
      ) STRICT;
      CREATE TABLE streams (stream_id TEXT PRIMARY KEY, revision INTEGER NOT NULL) STRICT, WITHOUT ROWID;
    `);
    const insert = old.prepare('INSERT INTO events (stream_id, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (const revision of [1, 2]) insert.run('s', revision, newEventId(), 'Tested', '{}', '{}', new Date().toISOString());
    old.prepare('INSERT INTO streams VALUES (?, ?)').run('s', 2);
    old.close();

    const store = open({ filename });

    expect((await store.readStream('s')).revision).toBe(2);
    await expect(store.append('s', [event()], { expectedRevision: 'no_stream' })).rejects.toMatchObject({ actual: 2 });
    await expect(store.append('s', [event()], { expectedRevision: 2 })).resolves.toEqual({ nextRevision: 3, lastPosition: 3, written: true });
    const check = new Database(filename, { readonly: true });
    expect(check.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'streams'").all()).toEqual([]);
    check.close();
  });

  it('reads the log in a background reader exactly as readAll does, pages and all, and rejects reads once closed', async () => {
    const store = open({ synchronous: 'NORMAL' });
    const odd = { text: 'quote " backslash \\ newline \n unicode \u00e9\u4e2d \ud83d\ude00', nested: [1, { a: null }], n: -1.5e-7 };
    for (let i = 0; i < 30; i++) {
      const events = Array.from({ length: 400 }, (_, j) => ({ id: newEventId(), type: j % 2 ? 'Tested' : 'Other', data: { i, j, ...odd }, metadata: { actor: `a-${j}` } }));
      await store.append(`s-${i % 7}-${i}`, events, { expectedRevision: 'any' });
    }
    const reader = store.openBackgroundReader();
    for (const [fromPosition, limit] of [[0, 12_000], [0, 5000], [4999, 5001], [11_990, 40_000], [12_000, 10], [3, 0], [0, undefined]] as const) {
      expect(await reader.readAll({ fromPosition, limit })).toEqual(await store.readAll({ fromPosition, limit }));
    }
    // reads in flight together each get their own events
    const [a, b] = await Promise.all([reader.readAll({ fromPosition: 100, limit: 7000 }), reader.readAll({ fromPosition: 9000, limit: 2000 })]);
    expect(a.map((e) => e.position)).toEqual(Array.from({ length: 7000 }, (_, i) => 101 + i));
    expect(b.map((e) => e.position)).toEqual(Array.from({ length: 2000 }, (_, i) => 9001 + i));
    await reader.close();
    await expect(reader.readAll({ fromPosition: 0, limit: 1 })).rejects.toThrow(/closed/);
  }, 30_000);

  it('creates the directory of the file', async () => {
    const store = open({ filename: join(dir, 'nested', 'deeper', 'events.sqlite') });

    await expect(store.append('s', [event()], { expectedRevision: 'no_stream' })).resolves.toMatchObject({ written: true });
  });
});

/** from..to inclusive */
function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
