import type { Plugin } from 'esbuild';

/** See lean-start.mjs. */
export declare const leanStart: Plugin;
