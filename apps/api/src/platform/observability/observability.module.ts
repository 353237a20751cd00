import { DynamicModule, Global, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { HealthController } from './health.controller';
import { HealthRegistry } from './health-registry';
import { ROOT_LOGGER } from './logger.token';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { ServerDescription } from './server-description';

/**
 * Logging, metrics and health for every module: global, so a feature module
 * injects MetricsService, HealthRegistry, ServerDescription or ROOT_LOGGER without importing it.
 */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(logger: Logger): DynamicModule {
    return {
      module: ObservabilityModule,
      controllers: [HealthController, MetricsController],
      providers: [{ provide: ROOT_LOGGER, useValue: logger }, MetricsService, HealthRegistry, ServerDescription],
      exports: [ROOT_LOGGER, MetricsService, HealthRegistry, ServerDescription],
    };
  }
}
