export * from './decider-specification';
export * from './complaint-fixtures';
