import { DynamicModule, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { AppModule } from './app.module';
import { serveConsole } from './console/console-static';
import { AppConfig, configWarnings } from './platform/config/app-config';
import { closeConnectionsAfterInFlightRequests } from './platform/http/keep-alive-drain';
import { NestPinoLogger } from './platform/observability/nest-pino.logger';
import { createRootLogger } from './platform/observability/root-logger';
import { setupOpenApi } from './platform/openapi/openapi';

/** Commands and reports are small JSON documents; anything bigger is a mistake or an attack. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

export interface CreateAppOptions {
  /** the root logger; by default one on stdout at the configured level */
  logger?: Logger;
  /** modules mounted beside the application's own, e.g. test-only probe routes */
  imports?: Array<Type | DynamicModule>;
}

/**
 * Builds the API on Fastify, fully wired but not listening: `main` listens on
 * the configured address, tests on port 0 (or use `app.inject`).
 */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const logger = options.logger ?? createRootLogger(config);
  for (const warning of configWarnings(config)) logger.warn(warning);

  const root = AppModule.forRoot(config, logger);
  const module: DynamicModule = { ...root, imports: [...(root.imports ?? []), ...(options.imports ?? [])] };

  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // No Fastify logger: errors reach ProblemDetailsFilter, which logs them
    // once; Fastify's own would add a line per request and a child logger per
    // request, which at our throughput costs more than it tells.
    logger: false,
  });

  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    logger: new NestPinoLogger(logger),
    // Throw bootstrap errors (e.g. a missing provider) to the caller instead
    // of process.abort(), so main can report them and tests can see them.
    abortOnError: false,
  });
  closeConnectionsAfterInFlightRequests(app.getHttpAdapter().getInstance());
  setupOpenApi(app, logger);
  await serveConsole(app, logger);
  return app;
}
