/** Longest message kept: results files hold one line per row, and an HTML page is not a message. */
const MAX_MESSAGE = 500;

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_MESSAGE ? `${flat.slice(0, MAX_MESSAGE - 1)}…` : flat;
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code =
        name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'", nbsp: ' ' };
    return named[name.toLowerCase()] ?? whole;
  });
}

/** The text of an XML/HTML element's content: CDATA kept verbatim, tags dropped, entities decoded. */
function elementText(inner: string): string {
  const parts: string[] = [];
  const cdata = /<!\[CDATA\[([\s\S]*?)\]\]>/g;
  let last = 0;
  for (let m = cdata.exec(inner); m; m = cdata.exec(inner)) {
    parts.push(decodeEntities(inner.slice(last, m.index).replace(/<[^>]*>/g, ' ')));
    parts.push(m[1] ?? '');
    last = m.index + m[0].length;
  }
  parts.push(decodeEntities(inner.slice(last).replace(/<[^>]*>/g, ' ')));
  return oneLine(parts.join(''));
}

/** Anything Coupa puts in an error list: a string, or an object with a message, or something to show as JSON. */
function describeItem(item: unknown): string {
  if (typeof item === 'string') return oneLine(item);
  if (typeof item === 'number' || typeof item === 'boolean') return String(item);
  if (item && typeof item === 'object' && !Array.isArray(item)) {
    const record = item as Record<string, unknown>;
    for (const key of ['message', 'error', 'description', 'detail']) {
      const value = record[key];
      if (typeof value === 'string' && value.trim() !== '') return oneLine(value);
    }
  }
  return oneLine(JSON.stringify(item) ?? '');
}

function messagesFromList(list: unknown, key?: string): string[] {
  const items = Array.isArray(list) ? list : [list];
  return items
    .map((item) => describeItem(item))
    .filter((text) => text !== '')
    .map((text) =>
      // Rails-style `{"vendor-code": ["can't be blank"]}` reads better with its key; Coupa's own messages
      // (`{"object-instance": ["Vendor code can't be blank"]}`) are whole sentences and start upper-case.
      key !== undefined && /^[a-z]/.test(text) ? `${key} ${text}` : text,
    );
}

function messagesFromJson(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [oneLine(value)];
  if (Array.isArray(value)) return messagesFromList(value);
  if (!value || typeof value !== 'object') return undefined;
  const body = value as Record<string, unknown>;
  const errors = body.errors;
  if (errors !== undefined && errors !== null) {
    if (typeof errors === 'object' && !Array.isArray(errors)) {
      const out: string[] = [];
      for (const [key, list] of Object.entries(errors as Record<string, unknown>)) {
        if (key === 'warnings') continue; // warnings are not failures
        out.push(...messagesFromList(list, key));
      }
      return out;
    }
    return messagesFromList(errors);
  }
  if (typeof body.error === 'string' || typeof body.error_description === 'string') {
    // OAuth: {"error": "invalid_client", "error_description": "Client authentication failed"}
    const parts = [body.error, body.error_description].filter(
      (p): p is string => typeof p === 'string' && p !== '',
    );
    return [oneLine(parts.join(': '))];
  }
  if (body.error && typeof body.error === 'object') return messagesFromList(body.error);
  if (typeof body.message === 'string') return [oneLine(body.message)];
  return undefined;
}

function messagesFromXml(body: string): string[] {
  const withoutWarnings = body.replace(/<warnings\b[^>]*>[\s\S]*?<\/warnings>/gi, '');
  const out: string[] = [];
  const element = /<error\b[^>]*>([\s\S]*?)<\/error>/gi;
  for (let m = element.exec(withoutWarnings); m; m = element.exec(withoutWarnings)) {
    const text = elementText(m[1] ?? '');
    if (text !== '') out.push(text);
  }
  if (out.length > 0) return out;
  const message = /<message\b[^>]*>([\s\S]*?)<\/message>/i.exec(withoutWarnings);
  if (message) return [elementText(message[1] ?? '')];
  const text = elementText(withoutWarnings.replace(/<\?xml[\s\S]*?\?>/, ''));
  return text === '' ? [] : [text];
}

function messagesFromHtml(body: string): string[] {
  const title = /<title\b[^>]*>([\s\S]*?)<\/title>/i.exec(body);
  const text = title ? elementText(title[1] ?? '') : '';
  return [text === '' ? 'HTML error page' : `HTML error page: ${text}`];
}

/**
 * Turns an error answer into readable messages, whatever its shape: JSON `{"errors": {<any key>: [...]}}` (every
 * key read, `warnings` skipped), `{"errors": [...]}`, OAuth `{"error", "error_description"}`, XML
 * `<errors><error>...</error></errors>` (CDATA too), an HTML page (its title), plain text, or nothing.
 * Always returns at least one message.
 *
 * @example
 * parseCoupaErrors(400, 'application/json', '{"errors":{"object-instance":["Vendor code can\'t be blank"]}}');
 * // ["Vendor code can't be blank"]
 */
export function parseCoupaErrors(status: number, contentType: string | undefined, body: string): string[] {
  const type = (contentType ?? '').toLowerCase();
  const trimmed = body.trim();
  if (trimmed === '') return ['no message'];
  const looksJson = /^[[{"]/.test(trimmed);
  if (type.includes('json') || looksJson) {
    try {
      const messages = messagesFromJson(JSON.parse(trimmed) as unknown);
      if (messages !== undefined) return messages.length > 0 ? messages : ['no message'];
      return [oneLine(trimmed)];
    } catch {
      // Not JSON after all (a proxy's page with a JSON content type): fall through to the other shapes.
    }
  }
  if (type.includes('html') || /^(<!doctype html|<html)/i.test(trimmed)) return messagesFromHtml(trimmed);
  if (type.includes('xml') || trimmed.startsWith('<')) {
    const messages = messagesFromXml(trimmed);
    return messages.length > 0 ? messages : ['no message'];
  }
  const text = oneLine(trimmed);
  return [text === '' ? `HTTP ${status} with no message` : text];
}
