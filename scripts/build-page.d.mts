/** Builds the page of `coupa-csv ui` into `outdir` (default dist/ui-page); resolves to that folder. */
export function buildPage(outdir?: string): Promise<string>;
