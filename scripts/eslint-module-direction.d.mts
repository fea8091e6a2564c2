import type { Rule } from 'eslint';

/** What each module of src/ may import besides itself. */
export declare const MAY_IMPORT: Record<string, readonly string[]>;
/** Files of a module, besides index.ts, that other modules may import (they load none of its heavy code). */
export declare const LIGHT_DOORS: Record<string, readonly string[]>;
/** The lint rule: module direction and index.ts doors. */
export declare const moduleDirection: Rule.RuleModule;
