export * from './clock';
export * from './command-pipeline';
