export * from './parse-env.js';
export * from './fields.js';
export * from './endpoints.js';
