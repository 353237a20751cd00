import { Global, Inject, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { CLOCK, ManualClock, systemClock } from '@complaints/application';
import {
  EVENT_STORE,
  EventStore,
  EsdbEventStore,
  IDEMPOTENCY_STORE,
  IdempotencyStore,
  PostgresEventStore,
  PostgresIdempotencyStore,
  SqliteEventStore,
  SqliteIdempotencyStore,
} from '@complaints/event-store';
import { LEASES, Leases, LocalLeases } from '../cluster/leases';
import { PostgresLeases } from '../cluster/postgres-leases';
import { APP_CONFIG, AppConfig } from '../platform/config';
import { HealthRegistry, MetricsService, ROOT_LOGGER, ServerDescription } from '../platform/observability';
import { registerLeaseGauge } from '../cluster/lease-metrics';
import { chooseStores, describeStore, describeStores, EVENT_STORE_SCHEMA, eventStoreFile, idempotencyFile, READ_MODELS_SCHEMA } from './store-choice';

export { describeStore, eventStoreFile } from './store-choice';

/** A connection error outside any call (an idle connection the server closed): the pool recovers, the log says so. */
function logConnectionError(logger: Logger, what: string) {
  return (error: unknown) => logger.warn({ err: error }, `${what}: a PostgreSQL connection failed (it is replaced)`);
}

/**
 * The stores, chosen by configuration (see store-choice.ts): the embedded
 * default is SQLite files under DATA_DIR; DATABASE_URL puts the event log,
 * the idempotency keys and the leases in PostgreSQL; EVENTSTORE_URL puts the
 * event log in EventStoreDB. The PostgreSQL stores open (and create their
 * schema) before the application starts; they close when it shuts down,
 * after every module that uses them.
 */
@Global()
@Module({
  providers: [
    {
      provide: EVENT_STORE,
      inject: [APP_CONFIG, ROOT_LOGGER],
      useFactory: async (config: AppConfig, logger: Logger): Promise<EventStore> => {
        switch (chooseStores(config).log) {
          case 'eventstoredb':
            return new EsdbEventStore({
              connectionString: config.eventStoreUrl!,
              onConnectionError: (error) => logger.warn({ err: error }, 'EventStoreDB subscription lost its connection; subscribing again'),
            });
          case 'postgres':
            return PostgresEventStore.open({ connectionString: config.databaseUrl!, schema: EVENT_STORE_SCHEMA, onError: logConnectionError(logger, 'event store') });
          case 'sqlite':
            return new SqliteEventStore({ filename: eventStoreFile(config), synchronous: config.sqliteSynchronous });
        }
      },
    },
    {
      provide: IDEMPOTENCY_STORE,
      inject: [APP_CONFIG, ROOT_LOGGER],
      useFactory: async (config: AppConfig, logger: Logger): Promise<IdempotencyStore> =>
        chooseStores(config).idempotency === 'postgres'
          ? PostgresIdempotencyStore.open({ connectionString: config.databaseUrl!, schema: EVENT_STORE_SCHEMA, poolSize: 4, onError: logConnectionError(logger, 'idempotency keys') })
          : new SqliteIdempotencyStore({ filename: idempotencyFile(config), synchronous: config.sqliteSynchronous }),
    },
    {
      provide: LEASES,
      inject: [APP_CONFIG, ROOT_LOGGER],
      useFactory: (config: AppConfig, logger: Logger): Leases =>
        chooseStores(config).leases === 'postgres' ? new PostgresLeases({ connectionString: config.databaseUrl!, scope: READ_MODELS_SCHEMA, logger }) : new LocalLeases(),
    },
    {
      provide: CLOCK,
      inject: [APP_CONFIG],
      // COMPLAINTS_TEST_CLOCK=1: a clock that only the admin's test endpoint moves
      useFactory: (config: AppConfig) => (config.testClock ? new ManualClock() : systemClock),
    },
  ],
  exports: [EVENT_STORE, IDEMPOTENCY_STORE, LEASES, CLOCK],
})
export class StorageModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(IDEMPOTENCY_STORE) private readonly idempotency: IdempotencyStore,
    @Inject(LEASES) private readonly leases: Leases,
    private readonly health: HealthRegistry,
    private readonly metrics: MetricsService,
    private readonly description: ServerDescription,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.description.describeStore(describeStore(this.config));
    this.logger.info({ stores: chooseStores(this.config) }, `stores: ${describeStores(this.config)}`);
    this.health.register('event-store', async () => {
      const head = await this.events.headPosition();
      return { status: 'ok', detail: `head position ${head}` };
    });
    if (this.leases.kind === 'postgres') {
      // not critical: an instance holding nothing still serves requests
      this.health.register('leases', () => ({ status: 'ok', detail: describeLeases(this.leases) }), { critical: false });
    }
    registerLeaseGauge(this.metrics.registry, this.leases);
  }

  async onApplicationShutdown(): Promise<void> {
    // whatever background work still runs stops before the stores close under it
    await this.leases.close();
    await this.events.close();
    await this.idempotency.close();
  }
}

function describeLeases(leases: Leases): string {
  const states = leases.states();
  const held = states.filter((s) => s.held).map((s) => s.name);
  const elsewhere = states.filter((s) => !s.held).map((s) => s.name);
  return `held here: ${held.join(', ') || 'none'}; held elsewhere: ${elsewhere.join(', ') || 'none'}`;
}
