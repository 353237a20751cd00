import * as path from 'path';
import { describeStoreLocation, parseStoreLocation } from '@complaints/event-store';
import { AppConfig } from '../platform/config';

/** The PostgreSQL schema of the event log and the idempotency keys (DATABASE_URL). */
export const EVENT_STORE_SCHEMA = 'event_store';
/** The PostgreSQL schema of the read models, their checkpoints and the Kafka relay's checkpoint (DATABASE_URL). */
export const READ_MODELS_SCHEMA = 'read_models';

/**
 * Which store keeps what, from the configuration:
 *
 * | set                            | event log    | idempotency keys, read models | background work |
 * | ------------------------------ | ------------ | ----------------------------- | --------------- |
 * | nothing (the embedded default) | SQLite       | SQLite files in DATA_DIR      | this process    |
 * | DATABASE_URL                   | PostgreSQL   | PostgreSQL                    | leases          |
 * | EVENTSTORE_URL                 | EventStoreDB | SQLite files in DATA_DIR      | this process    |
 * | both                           | EventStoreDB | PostgreSQL                    | leases          |
 *
 * Several instances need DATABASE_URL: the read models, the idempotency
 * keys and the leases must be shared. EventStoreDB alone is for one instance.
 */
export interface StoreChoice {
  log: 'sqlite' | 'postgres' | 'eventstoredb';
  idempotency: 'sqlite' | 'postgres';
  readModels: 'sqlite' | 'postgres';
  /** `worker`: a worker thread of this process; `in-process`: this thread; `leased`: this thread, on the instance holding the lease */
  projections: 'worker' | 'in-process' | 'leased';
  /** `local`: this process holds all background work; `postgres`: advisory locks decide which instance runs what */
  leases: 'local' | 'postgres';
}

export function chooseStores(config: AppConfig): StoreChoice {
  const shared = config.databaseUrl !== undefined;
  const log = config.eventStoreUrl !== undefined ? 'eventstoredb' : shared ? 'postgres' : 'sqlite';
  return {
    log,
    idempotency: shared ? 'postgres' : 'sqlite',
    readModels: shared ? 'postgres' : 'sqlite',
    // the worker opens the event-store file itself: only with the SQLite log
    projections: shared ? 'leased' : config.projectionsWorker && log === 'sqlite' ? 'worker' : 'in-process',
    leases: shared ? 'postgres' : 'local',
  };
}

/** The file of the embedded default's event log, under DATA_DIR. */
export function eventStoreFile(config: AppConfig): string {
  return path.resolve(config.dataDir, 'events.sqlite');
}

/** The file of the idempotency keys without DATABASE_URL, under DATA_DIR. */
export function idempotencyFile(config: AppConfig): string {
  return path.resolve(config.dataDir, 'idempotency.sqlite');
}

/** The file of the read models without DATABASE_URL, under DATA_DIR. */
export function readModelsFile(config: AppConfig): string {
  return path.resolve(config.dataDir, 'read-models.sqlite');
}

/** The event log, for the start-up banner (no password). */
export function describeStore(config: AppConfig): string {
  switch (chooseStores(config).log) {
    case 'eventstoredb':
      return describeStoreLocation(parseStoreLocation(config.eventStoreUrl!));
    case 'postgres':
      return describeStoreLocation(parseStoreLocation(config.databaseUrl!, { schema: EVENT_STORE_SCHEMA }));
    case 'sqlite':
      return `sqlite ${eventStoreFile(config)} (synchronous=${config.sqliteSynchronous})`;
  }
}

/** Every store and where the background work runs, in one line for the start-up log. */
export function describeStores(config: AppConfig): string {
  const choice = chooseStores(config);
  const postgres = (schema: string) => `postgres schema ${schema}`;
  const parts = [
    `event log: ${describeStore(config)}`,
    `idempotency keys: ${choice.idempotency === 'postgres' ? postgres(EVENT_STORE_SCHEMA) : `sqlite ${idempotencyFile(config)}`}`,
    `read models: ${choice.readModels === 'postgres' ? postgres(READ_MODELS_SCHEMA) : `sqlite ${readModelsFile(config)}`}`,
    `projections: ${
      choice.projections === 'worker'
        ? 'in a worker thread'
        : choice.projections === 'leased'
          ? 'in this process while it holds their lease'
          : 'in this process'
    }`,
    `background work: ${
      choice.leases === 'postgres'
        ? 'once per cluster, by PostgreSQL advisory-lock leases (projections, deadline scheduler, Kafka relay)'
        : 'all in this process (one instance)'
    }`,
  ];
  return parts.join('; ');
}
