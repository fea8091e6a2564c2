import { createServer, type AddressInfo } from 'node:net';
import { request } from 'undici';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/sim/index.js';

/**
 * Starts a simulator for a test on 127.0.0.1, port 0, with no rate limit and no latency unless the options say
 * otherwise. Closing it (afterEach/afterAll) is up to the caller.
 */
export function startTestSim(options: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulator({ rate: 0, latencyMs: 0, ...options });
}

/** The environment a spawned `coupa-csv` needs to reach the simulator. */
export function simEnv(sim: Simulator): {
  COUPA_INSTANCE: string;
  COUPA_CLIENT_ID: string;
  COUPA_CLIENT_SECRET: string;
} {
  return { COUPA_INSTANCE: sim.url, COUPA_CLIENT_ID: sim.clientId, COUPA_CLIENT_SECRET: sim.clientSecret };
}

/** Gets a bearer token from the simulator (form fields), for tests that talk HTTP directly. */
export async function simToken(sim: Simulator, scope = 'core.custom_objects.read_write'): Promise<string> {
  const res = await request(`${sim.url}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: sim.clientId,
      client_secret: sim.clientSecret,
      scope,
    }).toString(),
  });
  const body = (await res.body.json()) as { access_token?: string };
  if (res.statusCode !== 200 || !body.access_token)
    throw new Error(`token request failed: ${res.statusCode}`);
  return body.access_token;
}

/**
 * A TCP server on 127.0.0.1 that accepts connections and closes them at once: an instance that cannot be reached
 * (every request fails and is retried). `connections()` counts the attempts so far.
 */
export async function startResettingServer(): Promise<{
  url: string;
  connections: () => number;
  close: () => void;
}> {
  let count = 0;
  const server = createServer((socket) => {
    count++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => count,
    close: () => server.close(),
  };
}
