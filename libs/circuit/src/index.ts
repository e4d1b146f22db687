export * from './sink-circuit.js';
export * from './infrastructure-failure.js';
