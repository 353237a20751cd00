import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EsdbEventStore } from './esdb/esdb.event-store';
import { describeWithEventStoreDb, freshStreamPrefix } from './esdb/test/esdb.test-server';
import { EventStore } from './event-store.port';
import { IdempotencyStore } from './idempotency.port';
import { InMemoryEventStore } from './memory/in-memory.event-store';
import { InMemoryIdempotencyStore } from './memory/in-memory.idempotency.store';
import { PostgresEventStore } from './postgres/postgres.event-store';
import { PostgresIdempotencyStore } from './postgres/postgres.idempotency.store';
import { describeWithPostgres, dropSchemas, freshSchemaName, POSTGRES_URL } from './postgres/test/postgres.test-schema';
import { SqliteEventStore } from './sqlite/sqlite.event-store';
import { SqliteIdempotencyStore } from './sqlite/sqlite.idempotency.store';
import { eventStoreContract, idempotencyStoreContract } from './testing/event-store.contract';

/*
 * Every adapter of the ports runs the same contract, here. A new adapter
 * adds its fixtures below; nothing else.
 */

/** A fixture over a fresh temporary directory: the stores it opened are closed and the directory removed at cleanup. */
function inTempDir<Store extends { close(): Promise<void> }>(open: (dir: string) => Store) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'event-store-contract-'));
    const opened: Store[] = [];
    const openTracked = async () => {
      const store = open(dir);
      opened.push(store);
      return store;
    };
    return {
      store: await openTracked(),
      reopen: openTracked,
      cleanup: async () => {
        await Promise.all(opened.map((store) => store.close()));
        rmSync(dir, { recursive: true, force: true });
      },
    };
  };
}

/** A fixture over a fresh PostgreSQL schema: the stores it opened are closed and the schema dropped at cleanup. */
function inFreshSchema<Store extends { close(): Promise<void> }>(open: (schema: string) => Promise<Store>) {
  return async () => {
    const schema = freshSchemaName('contract');
    const opened: Store[] = [];
    const openTracked = async () => {
      const store = await open(schema);
      opened.push(store);
      return store;
    };
    return {
      store: await openTracked(),
      reopen: openTracked,
      cleanup: async () => {
        await Promise.all(opened.map((store) => store.close()));
        await dropSchemas([schema]);
      },
    };
  };
}

function inMemory<Store extends { close(): Promise<void> }>(open: () => Store) {
  return async () => {
    const store = open();
    return { store, cleanup: () => store.close() };
  };
}

// In memory
eventStoreContract('InMemoryEventStore', inMemory<EventStore>(() => new InMemoryEventStore()));
idempotencyStoreContract('InMemoryIdempotencyStore', inMemory<IdempotencyStore>(() => new InMemoryIdempotencyStore()));

// SQLite
eventStoreContract(
  'SqliteEventStore',
  inTempDir<EventStore>((dir) => new SqliteEventStore({ filename: join(dir, 'events.sqlite') })),
  { durable: true },
);
idempotencyStoreContract(
  'SqliteIdempotencyStore',
  inTempDir<IdempotencyStore>((dir) => new SqliteIdempotencyStore({ filename: join(dir, 'events.sqlite') })),
  { durable: true },
);

// PostgreSQL (DATABASE_URL, or the local server): fails when it cannot be reached, unless COMPLAINTS_SKIP_POSTGRES=1
describeWithPostgres('PostgreSQL', () => {
  eventStoreContract(
    'PostgresEventStore',
    inFreshSchema<EventStore>((schema) => PostgresEventStore.open({ connectionString: POSTGRES_URL, schema })),
    { durable: true },
  );
  idempotencyStoreContract(
    'PostgresIdempotencyStore',
    inFreshSchema<IdempotencyStore>((schema) => PostgresIdempotencyStore.open({ connectionString: POSTGRES_URL, schema })),
    { durable: true },
  );
});

/** A fixture over a stream prefix no one else uses (one EventStoreDB server has one $all): the stores it opened are closed at cleanup. */
function inFreshStreamPrefix(open: (prefix: string) => EsdbEventStore) {
  return async () => {
    const prefix = freshStreamPrefix('contract');
    const opened: EsdbEventStore[] = [];
    const openTracked = async () => {
      const store = open(prefix);
      opened.push(store);
      return store;
    };
    return {
      store: await openTracked(),
      reopen: openTracked,
      cleanup: async () => {
        await Promise.all(opened.map((store) => store.close()));
      },
    };
  };
}

// EventStoreDB / KurrentDB (EVENTSTORE_URL): no server runs where CI runs, so without one this says plainly that it did not run.
// Event ids are unique per stream only there (EventStoreDB keeps no index of them): see esdb.event-store.ts.
describeWithEventStoreDb('EventStoreDB', (url) => {
  eventStoreContract(
    'EsdbEventStore',
    inFreshStreamPrefix((prefix) => new EsdbEventStore({ connectionString: url, streamPrefix: prefix })),
    { durable: true, eventIdsUniquePerStreamOnly: true },
  );
});
