export * from './codes.js';
export * from './errors.js';
export { classify, isProgrammerError, type Classification } from './classify.js';
export { boundedMessage, redactCredentials } from './bounded-message.js';
