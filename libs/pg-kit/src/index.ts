export * from './migrate.js';
export * from './transaction.js';
export * from './pg-errors.js';
export * from './quote-ident.js';
