/**
 * `npm run demo:ui`: the simulator with the sample objects, and the page connected to it, in one process. Prints
 * the page's link and opens it; Ctrl-C stops both.
 */
import { spawn } from 'node:child_process';
import { DEFAULT_SCOPES } from '../coupa/index.js';
import { startSimulator } from '../sim/index.js';
import { startUiServer } from './server.js';

async function main(): Promise<void> {
  const sim = await startSimulator({});
  const server = await startUiServer({
    clientOptions: {
      instance: sim.url,
      credentials: {
        kind: 'oauth',
        clientId: sim.clientId,
        clientSecret: sim.clientSecret,
        scopes: DEFAULT_SCOPES,
      },
    },
  });
  process.stdout.write(
    `coupa-csv ui demo: a local simulator at ${sim.url} (objects 101 vendors, 102 budget allocations)\n` +
      `Open this link: ${server.url}\n` +
      'Try samples/vendors.csv with samples/vendors.mapping.yaml (custom object 101). Ctrl-C stops the demo.\n',
  );
  if (!process.argv.includes('--no-open') && process.platform === 'linux' && process.env.DISPLAY) {
    spawn('xdg-open', [server.url], { stdio: 'ignore', detached: true })
      .on('error', () => undefined)
      .unref();
  }
  const stop = (): void => {
    void server.close().then(() => sim.close());
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
