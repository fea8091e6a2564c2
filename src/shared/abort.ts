/**
 * Settles as `work` does, or rejects with `onAbort()` as soon as `signal` aborts; `work` then goes on unobserved
 * (its rejection is handled). For waits that must not outlast Ctrl-C, such as a preflight retrying an unreachable
 * instance.
 * @example await unlessAborted(client.list(101, []), signal, () => new AbortedError('interrupted', 'INTERRUPTED'))
 */
export function unlessAborted<T>(
  work: Promise<T>,
  signal: AbortSignal | undefined,
  onAbort: () => Error,
): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(onAbort());
  }
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => {
      work.catch(() => undefined);
      reject(onAbort());
    };
    signal.addEventListener('abort', abort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
