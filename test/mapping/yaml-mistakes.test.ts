import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/shared/errors.js';
import { parseMappingText } from '../../src/mapping/index.js';

function mappingError(text: string): InputError {
  try {
    parseMappingText(text, 'm.yaml');
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected a mapping error');
}

const SEVEN = 'object: 1\nfields:\n  A: a\n  B: b\n  C: c\n  D: d\n';

describe('a YAML syntax error is reported at the line of its cause, in plain words', () => {
  it.each([
    [
      'an unclosed { (the parser stops on the next line)',
      `${SEVEN}  Amount: { field: amount, type: decimal\n  E: e\n`,
      /not valid YAML: the \{ opened on line 7 is never closed: add \}/,
      7,
      11,
    ],
    [
      'an unclosed { on the last line',
      'fields:\n  A: { field: a\n',
      /the \{ opened on line 2 is never closed/,
      2,
      6,
    ],
    [
      'an unclosed [ in a block map',
      'fields:\n  A:\n    field: a\n    true: [Ja, J\n  B: b\n',
      /the \[ opened on line 4 is never closed: add \]/,
      4,
      11,
    ],
    [
      'a [ closed by }',
      'fields:\n  A: { field: a, type: boolean, true: [Ja, J }\n  B: b\n',
      /the \[ opened on line 2 is closed by \} on line 2: close it with \]/,
      2,
      46,
    ],
    ['a } too many', 'fields:\n  A: { field: a }}\n', /the \} on line 2 closes nothing: remove it/, 2, 18],
    [
      'an unclosed double quote',
      'fields:\n  A: "a\n  B: b\n',
      /the " opened on line 2 is never closed: end the text with "/,
      2,
      6,
    ],
    [
      'an unclosed single quote',
      "fields:\n  A: 'a\n  B: b\nconstants:\n  x: 1\n",
      /the ' opened on line 2 is never closed/,
      2,
      6,
    ],
    [
      'a line indented under a key that has its value',
      'fields:\n  A: a\n   B: b\n',
      /line 3 is indented more than line 2 \("A: a"\), which already has its value: indent it by 2 spaces/,
      3,
      4,
    ],
    [
      'a key between two indentation levels',
      'fields:\n  A:\n    field: a\n   type: date\n',
      /line 4 is indented by 3 spaces, between line 3 \(4\) and line 2 \(2\) above it/,
      4,
      4,
    ],
    [
      'a map indented less than its first key',
      'fields:\n    A: a\n  B: b\n',
      /line 3 is indented by 2 spaces, between line 2 \(4\) and line 1 \(0\)/,
      3,
      3,
    ],
    [
      'a tab for indentation, deeper down',
      'fields:\n  A:\n\t  field: a\n',
      /a tab is used for indentation: indent with spaces/,
      3,
      1,
    ],
    [
      'a key without its colon',
      'fields:\n  A a\n  B: b\n',
      /line 2 has no ":" between its key and value \("A a"\)/,
      2,
      3,
    ],
    [
      'a top-level key without its colon',
      'object 101\nfields:\n  A: a\n',
      /line 1 has no ":" between its key and value \("object 101"\)/,
      1,
      1,
    ],
    [
      'no space after the colon',
      'fields:\n  A:a\n  B: b\n',
      /"A:a" needs a space after the ":" \("A: a"\)/,
      2,
      3,
    ],
    [
      'a value with ": " in it',
      'fields:\n  A: a\nconstants:\n  note: Note: imported\n',
      /line 4: the value "Note: imported" holds ": ", which YAML reads as another key: put the value in quotes/,
      4,
      9,
    ],
  ])('%s', (_name, text, message, line, column) => {
    const error = mappingError(text);
    expect(error.code).toBe('MAPPING');
    expect(error.message).toMatch(message);
    expect(error.message).not.toMatch(/flow|implicit|compact|token/i);
    expect(error.location).toMatchObject({ file: 'm.yaml', line, column });
  });

  it('a key mistyped inside { } is named as an unknown key, not as a missing field:', () => {
    expect(mappingError('fields:\n  A: { field a, type: date }\n').message).toMatch(
      /fields\."A": "field a" is not a field key \(did you mean "field"\?\)/,
    );
  });

  it('brackets and quotes inside text are not mistaken for open ones', () => {
    const mapping = parseMappingText(
      "fields:\n  Vendor's Name: name # it's {the} name [x\n  \"Amount [EUR]\": { field: amount, type: decimal }\nconstants:\n  notes: 'it''s {fine'\n",
      'm.yaml',
    );
    expect(mapping.fields.map((f) => f.column)).toEqual(["Vendor's Name", 'Amount [EUR]']);
    expect(mapping.constants).toEqual({ notes: "it's {fine" });
  });
});
