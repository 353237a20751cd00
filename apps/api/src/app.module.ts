import { DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ComplaintsModule } from './complaints/complaints.module';
import { DeadlinesModule } from './deadlines/deadlines.module';
import { HandoversModule } from './handovers/handovers.module';
import { SignInModule } from './sign-in/sign-in.module';
import { ConsoleModule } from './console/console.module';
import { KafkaModule } from './kafka/kafka.module';
import { TestClockModule } from './test-clock/test-clock.http.controller';
import { IdempotencyHooks } from './infrastructure/idempotency.hooks';
import { StorageModule } from './infrastructure/storage.module';
import { ReadModelsModule } from './read-models/read-models.module';
import { allProjections } from '@complaints/read-models/projections';
import type { Logger } from 'pino';
import { AuthModule } from './platform/auth/auth.module';
import { AppConfig } from './platform/config/app-config';
import { ConfigModule } from './platform/config/config.module';
import { HttpPlatformModule } from './platform/http/http-platform.module';
import { ObservabilityModule } from './platform/observability/observability.module';
import { createRootLogger } from './platform/observability/root-logger';

/**
 * The API deployable. Platform modules first (configuration, logging and
 * metrics, authentication, HTTP error policy), then the features.
 *
 * Feature modules that hold resources (stores, consumers) release them in
 * `onApplicationShutdown`, which runs after the HTTP server has stopped
 * accepting and finished in-flight requests; `onModuleDestroy` runs before
 * that, while requests may still be served.
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, logger: Logger = createRootLogger(config)): DynamicModule {
    if (!config.kafkaBrokers) logger.info('KAFKA_BROKERS is not set: running without Kafka (no 10086 consumer, nothing published to Kafka)');
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule.forRoot(logger),
        AuthModule,
        HttpPlatformModule,
        CqrsModule.forRoot(),

        StorageModule,
        ReadModelsModule.forConfig(config, allProjections(config.policies)),

        // ── Features ─────────────────────────────────────────────────────
        ComplaintsModule,
        HandoversModule,
        // the web console's sign-in (the console itself is static files: see console/console-static.ts)
        SignInModule,
        ConsoleModule,
        DeadlinesModule.forRoot({ testClock: config.testClock }),
        ...(config.testClock ? [TestClockModule] : []),
        // the 10086 call center: its complaints in, the event log out
        ...(config.kafkaBrokers ? [KafkaModule] : []),
      ],
      providers: [IdempotencyHooks],
    };
  }
}
