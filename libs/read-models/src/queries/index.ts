export * from './bulletin.query';
export * from './periods';
export * from './queues.query';
export * from './reports.query';
export * from './search.query';
export * from './stats.query';
export * from './holdings.query';
