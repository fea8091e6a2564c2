// GET /api/fields?object=<id>&upload=<id>: the object's fields as its records show them and, for an upload, the
// closest field for each of its columns ("Suggest fields from Coupa").
import { createClient } from '../../coupa/index.js';
import { discoverFields, NO_RECORDS_HINT, type DiscoverFieldsResult } from '../../fields/index.js';
import { ConfigError } from '../../shared/index.js';
import type { Route, UiContext } from '../context.js';
import { suggestFields } from '../field-suggestions.js';
import { HttpError, optionalNumber, sendJson } from '../http.js';
import { normalizeDocument } from '../mapping-document.js';
import type { Upload } from '../uploads.js';

export const fieldRoutes: Record<string, Route> = {
  'GET fields': async (ctx, { res, url }) => {
    const objectId = optionalNumber(url.searchParams.get('object'));
    if (objectId === undefined) throw new HttpError(400, 'Enter the custom object id first.');
    const uploadId = url.searchParams.get('upload');
    const upload = uploadId === null ? undefined : ctx.uploads.get(uploadId);
    return sendJson(res, 200, await fieldsFor(ctx, objectId, upload));
  },
};

/** The object's fields as its records show them, and for an upload, the closest field for each column. */
async function fieldsFor(ctx: UiContext, objectId: number, upload: Upload | undefined): Promise<unknown> {
  const client = createClient(ctx.clientOptions);
  let found: DiscoverFieldsResult;
  try {
    found = await discoverFields(client, objectId);
  } catch (error) {
    if (error instanceof ConfigError && error.code === 'OBJECT_NOT_FOUND') {
      throw new HttpError(
        404,
        `Custom object ${objectId} was not found on ${ctx.instance.host}: check the object id (its number in Coupa).`,
      );
    }
    throw new HttpError(502, `Coupa could not be asked for the fields: ${ctx.describeError(error)}`);
  } finally {
    await client.close().catch(() => undefined);
  }
  const fields = found.fields.map((f) => ({
    name: f.name,
    type: f.type,
    label: f.label,
    ...(f.keys ? { keys: f.keys } : {}),
    ...(f.exampleText === undefined ? {} : { example: f.exampleText }),
  }));
  if (found.records === 0) {
    return {
      objectId,
      records: 0,
      fields,
      note: NO_RECORDS_HINT.replace('run this again', 'press Suggest fields from Coupa again'),
    };
  }
  const info = upload?.info;
  if (!info) return { objectId, records: found.records, fields };
  const guessed = normalizeDocument(info.suggested ?? {});
  const skip = typeof guessed.id === 'string' ? [guessed.id] : [];
  const suggestions = suggestFields(
    info.header,
    found.fields,
    (guessed.fields ?? {}) as Record<string, Record<string, unknown>>,
    skip,
  );
  return { objectId, records: found.records, fields, suggestions };
}
