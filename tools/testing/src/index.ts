export * from './stack-env.js';
export * from './versions.js';
export * from './net.js';
export * from './wait.js';
export * from './scratch-postgres.js';
export * from './router-process.js';
export * from './scratch-search.js';
export * from './random.js';
