export * from './sink-records.js';
export * from './sink-test-run.js';
