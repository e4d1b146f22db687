export * from './redact-url.js';
export * from './instance.js';
export * from './logger.js';
export * from './metrics.js';
export * from './telemetry.js';
export * from './traceparent.js';
export * from './mesh-event.js';
export * from './event-publisher.js';
