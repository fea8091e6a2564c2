// Response bodies in Coupa's two formats. JSON: bare objects and arrays. XML: Rails' to_xml shape.

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';

/**
 * Text for XML: `<`, `>`, `&` escaped, and characters XML 1.0 does not allow at all (control characters, lone
 * surrogates) written as `*`, as Rails' Builder does, so the document stays well-formed.
 */
function escapeXml(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 60) out += '&lt;';
    else if (c === 62) out += '&gt;';
    else if (c === 38) out += '&amp;';
    else if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 0xfffe || c === 0xffff) out += '*';
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += text.slice(i, i + 2);
        i++;
      } else out += '*';
    } else if (c >= 0xdc00 && c <= 0xdfff) out += '*';
    else out += text.charAt(i);
  }
  return out;
}

/** Element names whose values are datetimes (typed `dateTime` in XML): the record's and its object's fields'. */
export type DateTimeNames = ReadonlySet<string>;

function xmlElement(name: string, value: unknown, indent: string, dates: DateTimeNames): string {
  if (value === null || value === undefined) return `${indent}<${name} nil="true"/>\n`;
  if (typeof value === 'number') {
    const type = Number.isInteger(value) ? 'integer' : 'float';
    return `${indent}<${name} type="${type}">${value}</${name}>\n`;
  }
  if (typeof value === 'boolean') return `${indent}<${name} type="boolean">${value}</${name}>\n`;
  if (typeof value === 'string') {
    // Typed by the field, not by how the text looks: a text field holding a date-like string stays text.
    const typed = dates.has(name) ? ' type="dateTime"' : '';
    return `${indent}<${name}${typed}>${escapeXml(value)}</${name}>\n`;
  }
  if (typeof value === 'object') {
    const inner = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => xmlElement(k, v, `${indent}  `, dates))
      .join('');
    return `${indent}<${name}>\n${inner}${indent}</${name}>\n`;
  }
  return `${indent}<${name}>${escapeXml(JSON.stringify(value))}</${name}>\n`;
}

/** One record as XML (`<object-instance>`). */
export function renderRecordXml(record: Record<string, unknown>, dates: DateTimeNames): string {
  return XML_HEAD + xmlElement('object-instance', record, '', dates);
}

/** A list of records as XML (`<object-instances type="array">`). */
export function renderRecordsXml(
  records: ReadonlyArray<Record<string, unknown>>,
  dates: DateTimeNames,
): string {
  const inner = records.map((r) => xmlElement('object-instance', r, '  ', dates)).join('');
  return `${XML_HEAD}<object-instances type="array">\n${inner}</object-instances>\n`;
}

/** Coupa's error body: `{"errors": {"object-instance": [...]}}` or `<errors><error>..</error></errors>`. */
export function renderErrors(messages: readonly string[], json: boolean): string {
  if (json) return JSON.stringify({ errors: { 'object-instance': messages } });
  const inner = messages.map((m) => `  <error>${escapeXml(m)}</error>\n`).join('');
  return `${XML_HEAD}<errors>\n${inner}</errors>\n`;
}
