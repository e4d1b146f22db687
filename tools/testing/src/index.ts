export * from './stack-env.js';
export * from './versions.js';
