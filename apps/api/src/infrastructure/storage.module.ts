import { Global, Inject, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import * as path from 'path';
import { CLOCK, ManualClock, systemClock } from '@complaints/application';
import { EVENT_STORE, EventStore, IDEMPOTENCY_STORE, IdempotencyStore, SqliteEventStore, SqliteIdempotencyStore } from '@complaints/event-store';
import { APP_CONFIG, AppConfig } from '../platform/config';
import { HealthRegistry, ServerDescription } from '../platform/observability';

/** The file of the embedded default's event log, under DATA_DIR. */
export function eventStoreFile(config: AppConfig): string {
  return path.resolve(config.dataDir, 'events.sqlite');
}

/** One line for the start-up banner. */
export function describeStore(config: AppConfig): string {
  return `sqlite ${eventStoreFile(config)} (synchronous=${config.sqliteSynchronous})`;
}

/**
 * The stores, chosen by configuration: the embedded default is one SQLite
 * file under DATA_DIR (the event log and the idempotency keys).
 */
@Global()
@Module({
  providers: [
    {
      provide: EVENT_STORE,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): EventStore => new SqliteEventStore({ filename: eventStoreFile(config), synchronous: config.sqliteSynchronous }),
    },
    {
      provide: IDEMPOTENCY_STORE,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): IdempotencyStore =>
        new SqliteIdempotencyStore({ filename: path.resolve(config.dataDir, 'idempotency.sqlite'), synchronous: config.sqliteSynchronous }),
    },
    {
      provide: CLOCK,
      inject: [APP_CONFIG],
      // COMPLAINTS_TEST_CLOCK=1: a clock that only the admin's test endpoint moves
      useFactory: (config: AppConfig) => (config.testClock ? new ManualClock() : systemClock),
    },
  ],
  exports: [EVENT_STORE, IDEMPOTENCY_STORE, CLOCK],
})
export class StorageModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(IDEMPOTENCY_STORE) private readonly idempotency: IdempotencyStore,
    private readonly health: HealthRegistry,
    private readonly description: ServerDescription,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.description.describeStore(describeStore(this.config));
    this.health.register('event-store', async () => {
      const head = await this.events.headPosition();
      return { status: 'ok', detail: `head position ${head}` };
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.events.close();
    await this.idempotency.close();
  }
}
