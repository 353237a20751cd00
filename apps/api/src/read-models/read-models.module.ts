import { DynamicModule, FactoryProvider, Global, Inject, Module, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { EVENT_STORE, EventStore, SqliteEventStore } from '@complaints/event-store';
import { openPostgresReadModelDb, openSqliteReadModelDb, Projection, ProjectionHost, ProjectionRunner, ProjectionRunnerOptions } from '@complaints/read-models';
import { LEASES, Leases } from '../cluster/leases';
import { chooseStores, eventStoreFile, READ_MODELS_SCHEMA, readModelsFile } from '../infrastructure/store-choice';
import { APP_CONFIG, AppConfig } from '../platform/config';
import { HealthRegistry, MetricsService, ROOT_LOGGER } from '../platform/observability';
import { LeasedProjectionHost } from './leased-projection-host';
import { registerProjectionGauges } from './projection-metrics';
import { projectionsHealth } from './projections.health';
import { WorkerProjectionHost } from './worker/worker-projection-host';

export { readModelsFile } from '../infrastructure/store-choice';

/** The read-model database: `Kysely<ReadModelTables>` (or any narrower schema type) for queries. */
export const READ_MODEL_DB = Symbol('READ_MODEL_DB');
/**
 * The {@link ProjectionHost}: a ProjectionRunner in this thread, or the host of
 * one in a worker thread; queries call its `waitForPosition` to read their own writes.
 */
export const PROJECTION_HOST = Symbol('PROJECTION_HOST');

/** Tuning of the runner; the defaults suit the API. */
export type ProjectionRunnerSettings = Pick<ProjectionRunnerOptions, 'batchSize' | 'pollIntervalMs' | 'retry' | 'waitTimeoutMs'>;

/**
 * The read models and the runner that keeps them: started once every module
 * is initialised, stopped (after its batch in flight) when the application
 * shuts down, then the database is closed.
 *
 * Import it after StorageModule: both are global, and Nest shuts global
 * modules down in the reverse of their import order, so the runner stops
 * before the event store closes under it.
 *
 * The health check `projections` is not critical: a failing projection makes
 * some reads stale, but commands still work, so the service reports
 * `degraded` (HTTP 200) rather than taking itself out of rotation.
 */
@Global()
@Module({})
export class ReadModelsModule implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  /**
   * What the configuration asks for (see store-choice.ts): with DATABASE_URL
   * the read models are in PostgreSQL and the instance holding the lease runs
   * the projections; else a SQLite file kept by the worker thread (with the
   * SQLite log and PROJECTIONS_WORKER=1) or by a runner in this thread.
   */
  static forConfig(config: AppConfig, projections: readonly Projection[]): DynamicModule {
    switch (chooseStores(config).projections) {
      case 'leased':
        return ReadModelsModule.leased(projections);
      case 'worker':
        return ReadModelsModule.inWorker();
      case 'in-process':
        return ReadModelsModule.forRoot(projections);
    }
  }

  /**
   * `projections` on the shared PostgreSQL read models, kept by the instance
   * holding the `projections` lease (see LeasedProjectionHost).
   */
  static leased(projections: readonly Projection[], settings: Omit<ProjectionRunnerSettings, 'waitTimeoutMs'> = {}): DynamicModule {
    return ReadModelsModule.with({
      provide: PROJECTION_HOST,
      inject: [EVENT_STORE, READ_MODEL_DB, LEASES, APP_CONFIG, ROOT_LOGGER],
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each projection owns its own tables
      useFactory: (store: EventStore, db: Kysely<any>, leases: Leases, config: AppConfig, logger: Logger): ProjectionHost => {
        if (!config.databaseUrl) throw new Error('the leased projections need DATABASE_URL');
        return new LeasedProjectionHost({
          store,
          db,
          projections,
          leases,
          connectionString: config.databaseUrl,
          schema: READ_MODELS_SCHEMA,
          logger: logger.child({ component: 'projections' }),
          settings,
        });
      },
    });
  }

  /** `projections` kept by a ProjectionRunner in this thread. */
  static forRoot(projections: readonly Projection[], settings: ProjectionRunnerSettings = {}): DynamicModule {
    return ReadModelsModule.with({
      provide: PROJECTION_HOST,
      inject: [EVENT_STORE, READ_MODEL_DB, ROOT_LOGGER],
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each projection owns its own tables
      useFactory: (store: EventStore, db: Kysely<any>, logger: Logger): ProjectionHost =>
        new ProjectionRunner({ store, db, projections, logger: logger.child({ component: 'projections' }), ...settings }),
    });
  }

  /**
   * allProjections() kept by a ProjectionRunner in a worker thread (see
   * WorkerProjectionHost): the API's default when it runs compiled. Needs the
   * SQLite event store, whose file the worker opens too.
   */
  static inWorker(settings: Omit<ProjectionRunnerSettings, 'waitTimeoutMs'> = {}): DynamicModule {
    return ReadModelsModule.with({
      provide: PROJECTION_HOST,
      inject: [EVENT_STORE, APP_CONFIG, ROOT_LOGGER],
      useFactory: (store: EventStore, config: AppConfig, logger: Logger): ProjectionHost => {
        if (!(store instanceof SqliteEventStore)) throw new Error('the projection worker needs the SQLite event store; set PROJECTIONS_WORKER=0');
        return new WorkerProjectionHost({
          store,
          data: { eventStoreFile: eventStoreFile(config), readModelsFile: readModelsFile(config), policies: config.policies, settings },
          logger: logger.child({ component: 'projections' }),
        });
      },
    });
  }

  private static with(host: FactoryProvider<ProjectionHost>): DynamicModule {
    return {
      module: ReadModelsModule,
      providers: [
        {
          provide: READ_MODEL_DB,
          inject: [APP_CONFIG, ROOT_LOGGER],
          useFactory: async (config: AppConfig, logger: Logger) =>
            chooseStores(config).readModels === 'postgres'
              ? openPostgresReadModelDb({
                  connectionString: config.databaseUrl!,
                  schema: READ_MODELS_SCHEMA,
                  onError: (error) => logger.warn({ err: error }, 'read models: a PostgreSQL connection failed (it is replaced)'),
                })
              : openSqliteReadModelDb(readModelsFile(config)),
        },
        host,
      ],
      exports: [READ_MODEL_DB, PROJECTION_HOST],
    };
  }

  constructor(
    @Inject(PROJECTION_HOST) private readonly runner: ProjectionHost,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- closed here, queried elsewhere
    @Inject(READ_MODEL_DB) private readonly db: Kysely<any>,
    private readonly metrics: MetricsService,
    private readonly health: HealthRegistry,
  ) {}

  onModuleInit(): void {
    registerProjectionGauges(this.metrics.registry, () => this.runner.status());
    this.health.register('projections', async () => projectionsHealth(await this.runner.status(), Date.now()), { critical: false });
  }

  /** Resolves once stale projections are reset; catching up goes on in the background (queries wait for it). */
  async onApplicationBootstrap(): Promise<void> {
    await this.runner.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runner.stop();
    await this.db.destroy();
  }
}
