export * from './generated.js';
export { entityKey, parseEntityKey, type EntityRef } from './entity-key.js';
