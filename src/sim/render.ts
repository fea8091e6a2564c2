// Response bodies in Coupa's two formats. JSON: bare objects and arrays. XML: Rails' to_xml shape.

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';

/**
 * Text for XML: `<`, `>`, `&` escaped, and characters XML 1.0 does not allow at all (control characters, lone
 * surrogates) written as `*`, as Rails' Builder does, so the document stays well-formed. Without `entities`
 * (text for a CDATA section), only the latter.
 */
function escapeXml(text: string, entities = true): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (entities && c === 60) out += '&lt;';
    else if (entities && c === 62) out += '&gt;';
    else if (entities && c === 38) out += '&amp;';
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

/** How error bodies are written (two of Coupa's variations). */
export interface ErrorStyle {
  /** XML messages in CDATA sections instead of escaped text. */
  cdata?: boolean;
  /** JSON: a `warnings` list beside the resource's errors. */
  warnings?: readonly string[];
}

/** A CDATA section; `]]>` in the text is split across two sections, as XML requires. */
function cdataOf(text: string): string {
  return `<![CDATA[${escapeXml(text, false).replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
}

/**
 * Coupa's error body: `{"errors": {"object-instance": [...]}}` or `<errors><error>..</error></errors>`; with
 * `style`, warnings beside the errors (JSON) or CDATA (XML).
 */
export function renderErrors(messages: readonly string[], json: boolean, style: ErrorStyle = {}): string {
  if (json) {
    const errors: Record<string, readonly string[]> = { 'object-instance': messages };
    if (style.warnings && style.warnings.length > 0) errors.warnings = style.warnings;
    return JSON.stringify({ errors });
  }
  const inner = messages.map((m) => `  <error>${style.cdata ? cdataOf(m) : escapeXml(m)}</error>\n`).join('');
  return `${XML_HEAD}<errors>\n${inner}</errors>\n`;
}
