// Response bodies in Coupa's two formats. JSON: bare objects and arrays. XML: Rails' to_xml shape.

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';

function escapeXml(text: string): string {
  return text.replace(/[<>&]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&amp;'));
}

function xmlElement(name: string, value: unknown, indent: string): string {
  if (value === null || value === undefined) return `${indent}<${name} nil="true"/>\n`;
  if (typeof value === 'number') {
    const type = Number.isInteger(value) ? 'integer' : 'float';
    return `${indent}<${name} type="${type}">${value}</${name}>\n`;
  }
  if (typeof value === 'boolean') return `${indent}<${name} type="boolean">${value}</${name}>\n`;
  if (typeof value === 'string') {
    const typed = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/.test(value)
      ? ' type="dateTime"'
      : '';
    return `${indent}<${name}${typed}>${escapeXml(value)}</${name}>\n`;
  }
  if (typeof value === 'object') {
    const inner = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => xmlElement(k, v, `${indent}  `))
      .join('');
    return `${indent}<${name}>\n${inner}${indent}</${name}>\n`;
  }
  return `${indent}<${name}>${escapeXml(JSON.stringify(value))}</${name}>\n`;
}

/** One record as XML (`<object-instance>`). */
export function renderRecordXml(record: Record<string, unknown>): string {
  return XML_HEAD + xmlElement('object-instance', record, '');
}

/** A list of records as XML (`<object-instances type="array">`). */
export function renderRecordsXml(records: ReadonlyArray<Record<string, unknown>>): string {
  const inner = records.map((r) => xmlElement('object-instance', r, '  ')).join('');
  return `${XML_HEAD}<object-instances type="array">\n${inner}</object-instances>\n`;
}

/** Coupa's error body: `{"errors": {"object-instance": [...]}}` or `<errors><error>..</error></errors>`. */
export function renderErrors(messages: readonly string[], json: boolean): string {
  if (json) return JSON.stringify({ errors: { 'object-instance': messages } });
  const inner = messages.map((m) => `  <error>${escapeXml(m)}</error>\n`).join('');
  return `${XML_HEAD}<errors>\n${inner}</errors>\n`;
}
