export * from './projection';
export * from './runner/projection-runner';
export type { ProjectionHost } from './runner/projection-host';
export * from './runner/projection-runner.errors';
export type { RunnerLogger } from './runner/runner-logger';
export { CHECKPOINT_TABLE } from './runner/checkpoint.store';
export type { Checkpoint, CheckpointStatus } from './runner/checkpoint.store';
export { openSqliteReadModelDb } from './sqlite-read-model-db';
export type { SqliteReadModelDbOptions } from './sqlite-read-model-db';
