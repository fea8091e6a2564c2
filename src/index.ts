export * from './errors.js';
export type * from './coupa/types.js';
export type * from './mapping/types.js';
export type * from './csv/types.js';
