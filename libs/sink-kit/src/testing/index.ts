export * from './sink-records.js';
export * from './sink-stack-run.js';
export * from './sink-test-run.js';
