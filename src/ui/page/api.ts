// The page's calls to its server: JSON requests, the upload of a file, and a run's progress stream (SSE).
import type { UploadInfo } from './types.js';

/** What the page says when the server stops answering (coupa-csv was closed). */
export const LOST_CONTACT = 'Lost contact with coupa-csv. Is it still running?';

/** Calls the page's server; an answer that is not OK becomes an Error with the server's words. */
export async function api<T>(path: string, body?: unknown, init: RequestInit = {}): Promise<T> {
  const res = await fetch(path, {
    method: body === undefined && !init.body ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    ...init,
  });
  const text = await res.text();
  let data: unknown = null;
  try {
    data = JSON.parse(text);
  } catch {
    data = null;
  }
  if (!res.ok) {
    const message =
      (data as { error?: string; message?: string } | null)?.error ??
      (data as { message?: string } | null)?.message;
    throw new Error(message ?? 'The page could not reach coupa-csv. Is it still running?');
  }
  return data as T;
}

/** Sends a chosen file to the server, which reads it (format, header, first rows) and keeps it for the runs. */
export async function uploadFile(file: File): Promise<UploadInfo> {
  return api<UploadInfo>('/api/uploads', undefined, {
    method: 'POST',
    body: file,
    headers: { 'content-type': 'application/octet-stream', 'x-file-name': encodeURIComponent(file.name) },
  });
}

/**
 * Follows a run's progress stream (`/api/imports/<id>/events`, `/api/exports/<id>/events`) until the run ends:
 * `onState` for each state pushed; resolves with the last one, `lost` when the connection broke before the end.
 */
export function followRun<T extends { state: string }>(
  url: string,
  first: T,
  onState: (state: T) => void,
): Promise<{ last: T; lost: boolean }> {
  return new Promise((resolve) => {
    const source = new EventSource(url);
    let last = first;
    source.addEventListener('state', (event) => {
      last = JSON.parse((event as MessageEvent<string>).data) as T;
      onState(last);
      if (last.state !== 'running') {
        source.close();
        resolve({ last, lost: false });
      }
    });
    source.onerror = () => {
      if (last.state !== 'running') return;
      source.close();
      resolve({ last, lost: true });
    };
  });
}
