import { loadConfig } from '../platform/config';
import { chooseStores, describeStore, describeStores } from './store-choice';

const PG = 'postgres://app:secret@db:5432/complaints';
const ESDB = 'esdb://kurrentdb:2113?tls=false';

describe('the stores chosen by configuration', () => {
  it('is the embedded SQLite default with nothing set, its projections in the worker when it runs compiled', () => {
    expect(chooseStores(loadConfig({ PROJECTIONS_WORKER: '1' }))).toEqual({ log: 'sqlite', idempotency: 'sqlite', readModels: 'sqlite', projections: 'worker', leases: 'local' });
    expect(chooseStores(loadConfig({ PROJECTIONS_WORKER: '0' })).projections).toBe('in-process');
  });

  it('puts everything shared in PostgreSQL with DATABASE_URL, the background work under leases', () => {
    expect(chooseStores(loadConfig({ DATABASE_URL: PG, PROJECTIONS_WORKER: '1' }))).toEqual({
      log: 'postgres',
      idempotency: 'postgres',
      readModels: 'postgres',
      projections: 'leased',
      leases: 'postgres',
    });
  });

  it('puts the log in EventStoreDB with EVENTSTORE_URL: the rest in PostgreSQL with DATABASE_URL, else in SQLite files for one instance', () => {
    expect(chooseStores(loadConfig({ EVENTSTORE_URL: ESDB, DATABASE_URL: PG }))).toEqual({
      log: 'eventstoredb',
      idempotency: 'postgres',
      readModels: 'postgres',
      projections: 'leased',
      leases: 'postgres',
    });
    // the worker reads the SQLite log file: with EventStoreDB the projections run in the main thread
    expect(chooseStores(loadConfig({ EVENTSTORE_URL: ESDB, PROJECTIONS_WORKER: '1' }))).toEqual({
      log: 'eventstoredb',
      idempotency: 'sqlite',
      readModels: 'sqlite',
      projections: 'in-process',
      leases: 'local',
    });
  });

  it('says which stores are in use in one line, without passwords', () => {
    const line = describeStores(loadConfig({ DATABASE_URL: PG }));
    expect(line).not.toContain('secret');
    expect(line).toMatch(/^event log: postgres postgres:\/\/app:\*+@db:5432\/complaints schema event_store; idempotency keys: postgres schema event_store; read models: postgres schema read_models; projections: .*lease/);
    expect(describeStore(loadConfig({ EVENTSTORE_URL: ESDB }))).toMatch(/^eventstoredb /);
    expect(describeStore(loadConfig({ DATA_DIR: '/srv/data' }))).toBe('sqlite /srv/data/events.sqlite (synchronous=FULL)');
  });
});
