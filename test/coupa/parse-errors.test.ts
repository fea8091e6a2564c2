import { describe, expect, it } from 'vitest';
import { parseCoupaErrors } from '../../src/coupa/index.js';

const JSON_TYPE = 'application/json; charset=utf-8';

describe('parseCoupaErrors', () => {
  it('reads every key of a JSON errors object', () => {
    const body = JSON.stringify({
      errors: {
        'object-instance': ["Vendor code can't be blank", "Vendor name can't be blank"],
        base: ['Other'],
      },
    });
    expect(parseCoupaErrors(400, JSON_TYPE, body)).toEqual([
      "Vendor code can't be blank",
      "Vendor name can't be blank",
      'Other',
    ]);
  });

  it('skips warnings inside errors', () => {
    const body = JSON.stringify({
      errors: { warnings: ['just a warning'], 'object-instance': ['Real failure'] },
    });
    expect(parseCoupaErrors(400, JSON_TYPE, body)).toEqual(['Real failure']);
    expect(parseCoupaErrors(400, JSON_TYPE, JSON.stringify({ errors: { warnings: ['w'] } }))).toEqual([
      'no message',
    ]);
  });

  it('prefixes the key of Rails-style lower-case messages', () => {
    const body = JSON.stringify({ errors: { 'vendor-code': ["can't be blank"] } });
    expect(parseCoupaErrors(400, JSON_TYPE, body)).toEqual(["vendor-code can't be blank"]);
  });

  it('reads an errors array of strings and objects, and a single string value', () => {
    const body = JSON.stringify({ errors: ['First', { message: 'Second' }, { code: 7 }] });
    expect(parseCoupaErrors(400, JSON_TYPE, body)).toEqual(['First', 'Second', '{"code":7}']);
    expect(
      parseCoupaErrors(400, JSON_TYPE, JSON.stringify({ errors: { 'object-instance': 'Only one' } })),
    ).toEqual(['Only one']);
  });

  it('reads an OAuth error with its description', () => {
    const body = JSON.stringify({
      error: 'invalid_client',
      error_description: 'Client authentication failed',
    });
    expect(parseCoupaErrors(401, 'application/json', body)).toEqual([
      'invalid_client: Client authentication failed',
    ]);
    expect(parseCoupaErrors(401, 'application/json', '{"error":"invalid_scope"}')).toEqual(['invalid_scope']);
  });

  it('reads JSON without a JSON content type, and unknown JSON shapes as text', () => {
    expect(parseCoupaErrors(400, undefined, '{"errors":["x"]}')).toEqual(['x']);
    expect(parseCoupaErrors(400, 'text/plain', '{"message":"m"}')).toEqual(['m']);
    expect(parseCoupaErrors(400, JSON_TYPE, '{"status":"bad"}')).toEqual(['{"status":"bad"}']);
  });

  it('reads XML errors, CDATA and entities included', () => {
    const body =
      '<?xml version="1.0" encoding="UTF-8"?>\n<errors>\n  <error>Vendor code can&apos;t be blank</error>\n' +
      '  <error><![CDATA[Amount <must> be a number & positive]]></error>\n</errors>';
    expect(parseCoupaErrors(400, 'application/xml', body)).toEqual([
      "Vendor code can't be blank",
      'Amount <must> be a number & positive',
    ]);
    expect(
      parseCoupaErrors(
        404,
        'text/xml',
        '<errors><error>No results match your search criteria.</error></errors>',
      ),
    ).toEqual(['No results match your search criteria.']);
  });

  it('reads XML without a content type and skips XML warnings', () => {
    const body = '<errors><warnings><warning>w</warning></warnings><error>E1</error></errors>';
    expect(parseCoupaErrors(400, undefined, body)).toEqual(['E1']);
  });

  it('takes the title of an HTML page, or says it was one', () => {
    const page =
      '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>x</h1></body></html>';
    expect(parseCoupaErrors(502, 'text/html', page)).toEqual(['HTML error page: 502 Bad Gateway']);
    expect(parseCoupaErrors(503, undefined, '<html><body>down</body></html>')).toEqual(['HTML error page']);
    expect(parseCoupaErrors(500, 'text/html', '<p>oops</p>')).toEqual(['HTML error page']);
  });

  it('says "no message" for an empty body', () => {
    expect(parseCoupaErrors(401, undefined, '')).toEqual(['no message']);
    expect(parseCoupaErrors(401, 'application/json', '  \n')).toEqual(['no message']);
  });

  it('keeps plain text on one line and cuts very long messages', () => {
    expect(parseCoupaErrors(500, 'text/plain', 'Internal\nServer   Error')).toEqual([
      'Internal Server Error',
    ]);
    const [long] = parseCoupaErrors(500, 'text/plain', 'x'.repeat(5000));
    expect(long!.length).toBeLessThanOrEqual(500);
  });

  it('falls back to text when a JSON content type carries something else', () => {
    expect(parseCoupaErrors(502, 'application/json', '<html><title>Proxy</title></html>')).toEqual([
      'HTML error page: Proxy',
    ]);
  });
});
