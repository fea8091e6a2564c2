import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface Hit {
  method: string;
  path: string;
  /** performance.now() when the request had been read (same clock as the client's). */
  at: number;
  body: string;
}

export type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  hit: Hit,
  index: number,
) => void | Promise<void>;

export interface TestServer {
  url: string;
  hits: Hit[];
  /** Most requests being handled at once. */
  maxInFlight: number;
  /** TCP connections accepted. */
  connections: number;
  close(): Promise<void>;
}

/** A small real HTTP server on 127.0.0.1, port 0, that records what it saw. */
export async function startTestServer(handler: Handler): Promise<TestServer> {
  let inFlight = 0;
  const state: TestServer = {
    url: '',
    hits: [],
    maxInFlight: 0,
    connections: 0,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      inFlight += 1;
      state.maxInFlight = Math.max(state.maxInFlight, inFlight);
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        inFlight -= 1;
      };
      res.on('close', finish);
      const hit: Hit = {
        method: req.method ?? '',
        path: req.url ?? '',
        at: performance.now(),
        body: Buffer.concat(chunks).toString('utf8'),
      };
      state.hits.push(hit);
      void Promise.resolve(handler(req, res, hit, state.hits.length - 1)).catch(() => res.destroy());
    });
  });
  server.on('connection', () => {
    state.connections += 1;
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  state.url = `http://127.0.0.1:${port}`;
  return state;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
