export * from './command-outcome';
export * from './health-registry';
export * from './logger.token';
export * from './metrics.service';
export * from './nest-pino.logger';
export * from './observability.module';
export * from './root-logger';
export * from './server-description';
