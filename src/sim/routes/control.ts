// The test-only control endpoints under /_sim (not Coupa's): stats, an object's records, faults. Their answers are
// not counted in the stats.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimContext } from '../context.js';
import { parseFaults } from '../faults.js';
import { readBody } from '../http.js';
import { SimHttpError } from '../store.js';

export async function handleControl(
  ctx: SimContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const { reply, store } = ctx;
  const path = url.pathname.replace(/\/$/, '');
  if (req.method === 'GET' && path === '/_sim/stats') return reply.json(res, 200, ctx.snapshot(), false);
  const records = /^\/_sim\/objects\/(\d+)\/records$/.exec(path);
  if (req.method === 'GET' && records?.[1]) {
    const objectId = Number(records[1]);
    try {
      const list = store.all(objectId).map((r) => store.present(objectId, r));
      return reply.json(res, 200, list, false);
    } catch (error) {
      if (error instanceof SimHttpError) return reply.json(res, 404, { error: error.message }, false);
      throw error;
    }
  }
  if (req.method === 'POST' && path === '/_sim/faults') {
    try {
      const raw: unknown = JSON.parse((await readBody(req)) || '{}');
      ctx.faults.set(parseFaults(raw));
      return reply.json(res, 200, ctx.faults.current, false);
    } catch (error) {
      return reply.json(res, 400, { error: error instanceof Error ? error.message : String(error) }, false);
    }
  }
  reply.json(
    res,
    404,
    {
      error:
        'unknown simulator endpoint (GET /_sim/stats, GET /_sim/objects/{id}/records, POST /_sim/faults)',
    },
    false,
  );
}
