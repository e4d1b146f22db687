export * from './dedupe-key.js';
export * from './errors.js';
export * from './idempotency-store.js';
export * from './redis-client.js';
export * from './redis-idempotency-store.js';
