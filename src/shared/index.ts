/**
 * Small helpers every module may use: the error classes and their exit codes, abort handling, guarded caller
 * hooks, file checks, time zone arithmetic, "did you mean" suggestions and column-name matching. Imports nothing
 * from the rest of src.
 */
export * from './errors.js';
export { unlessAborted } from './abort.js';
export { guardCallbacks } from './callbacks.js';
export { normalizeColumn } from './column-name.js';
export { numberText } from './number-text.js';
export { checkWritableFile, isProcessRunning, sameFile } from './files.js';
export { editDistance, findClosest, hint, suggest } from './suggest.js';
export * from './time.js';
export type { TypedCell } from './typed-cell.js';
