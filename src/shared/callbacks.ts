/**
 * The caller's callbacks (`onProgress`, `onNotice`, ...), each made unable to throw into the run: a bug in a listener
 * must not stop an import half-way (rows in flight, a journal left behind) nor surface as the run's own error. Their
 * exceptions are dropped, as the client does for `onEvent`.
 * @example const safe = guardCallbacks({ onNotice: (m) => log(m) });
 */
export function guardCallbacks<T extends object>(hooks: T): T {
  const guarded: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(hooks)) {
    guarded[name] =
      typeof value === 'function'
        ? (...args: unknown[]): unknown => {
            try {
              return (value as (...a: unknown[]) => unknown)(...args);
            } catch {
              return undefined;
            }
          }
        : value;
  }
  return guarded as T;
}
