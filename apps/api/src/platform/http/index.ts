export * from './http-platform.module';
export * from './problem-details';
export * from './problem-mapping';
export * from './problem.exception';
export * from './problem-details.filter';
export * from './validation.pipe';
export * from './problem-details.openapi';
export * from './keep-alive-drain';
