export * from './sink.js';
export * from './decode.js';
export * from './outcomes.js';
export * from './sink-handler.js';
export * from './sink-app.js';
export * from './sink-env.js';
export * from './collapse.js';
export * from './chunk.js';
