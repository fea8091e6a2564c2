/**
 * The cause of a YAML syntax error, in plain words and at the line of the cause. The parser reports where it gave
 * up: an unclosed `{` on line 7 shows as an error on line 8, a missing `:` as a key "on several lines". A light scan
 * of the text (quotes, brackets, comments and indentation as a person writes a mapping) finds the line to fix.
 * Anything the scan does not recognise keeps the parser's own words.
 */

/** A cause found: the message (without "not valid YAML: ") and where. */
export interface YamlMistake {
  message: string;
  line: number;
  column: number;
}

interface Opener {
  char: string;
  line: number;
  column: number;
}

/** One line of the text as the scan sees it. */
interface Line {
  /** 1-based. */
  number: number;
  indent: number;
  /** The text without indentation and comment, trimmed at the end; '' for a blank or comment-only line. */
  content: string;
  /** True when the line starts inside a flow collection or a quoted scalar begun above it. */
  continued: boolean;
}

const CLOSER: Record<string, string> = { '{': '}', '[': ']' };

/**
 * Explains the parser's error `code` at line `errorLine` of `text`, or undefined when the scan finds no cause it
 * knows (the caller then keeps the parser's message).
 */
export function findYamlMistake(text: string, code: string, errorLine: number): YamlMistake | undefined {
  const scan = scanText(text);
  if (scan.flow !== undefined) return scan.flow;
  const lines = scan.lines.filter((l) => l.content !== '' && !l.continued);
  if (code === 'MULTILINE_IMPLICIT_KEY' || code === 'BLOCK_AS_IMPLICIT_KEY') {
    // A line more indented than a key that already has its value (`A: a` then `   B: b`).
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i] as Line;
      const above = lines[i - 1] as Line;
      if (line.number < errorLine) continue;
      if (line.indent > above.indent && hasInlineValue(above.content)) {
        return {
          message: `line ${line.number} is indented more than line ${above.number} (${quote(above.content)}), which already has its value: indent it by ${above.indent} spaces like line ${above.number}, or give line ${above.number} no value if line ${line.number} belongs under it`,
          line: line.number,
          column: line.indent + 1,
        };
      }
    }
    // A value with `: ` in it (`Notes: Note: x`): YAML reads a second key.
    const line = lines.find((l) => l.number === errorLine);
    const colon = line === undefined ? -1 : keyColon(line.content);
    const rest = line === undefined ? '' : line.content.slice(colon + 1).trim();
    if (line !== undefined && colon >= 0 && keyColon(rest) >= 0 && !/^["'{[]/.test(rest)) {
      return {
        message: `line ${line.number}: the value ${quote(rest)} holds ": ", which YAML reads as another key: put the value in quotes (${quote(`${line.content.slice(0, colon)}: "${rest}"`)})`,
        line: line.number,
        column: line.indent + colon + 3,
      };
    }
    // A key without its `:` (`Amount decimal`), or with no space after it (`Amount:decimal`).
    for (const line of lines) {
      if (line.number < errorLine || line.content.startsWith('- ') || line.content === '-') continue;
      if (keyColon(line.content) >= 0) continue;
      const glued = /^([^:'"]+):(\S.*)$/.exec(line.content);
      const message =
        glued !== null
          ? `line ${line.number}: ${quote(line.content)} needs a space after the ":" (${quote(`${glued[1] ?? ''}: ${glued[2] ?? ''}`)})`
          : `line ${line.number} has no ":" between its key and value (${quote(line.content)}): write it as "key: value"`;
      return { message, line: line.number, column: line.indent + 1 };
    }
  }
  if (code === 'BAD_INDENT') {
    // A key at none of the indentation levels open above it: between a nested key and its parent.
    const at = lines.findIndex((l) => l.number >= errorLine);
    const line = lines[at];
    if (line !== undefined) {
      let deeper: Line | undefined;
      for (let i = at - 1; i >= 0; i--) {
        const above = lines[i] as Line;
        if (above.indent === line.indent) break;
        if (above.indent > line.indent) {
          if (deeper === undefined || above.indent < deeper.indent) deeper = above;
          continue;
        }
        if (deeper !== undefined) {
          return {
            message: `line ${line.number} is indented by ${line.indent} spaces, between line ${deeper.number} (${deeper.indent}) and line ${above.number} (${above.indent}) above it: the keys of one map start at the same column; indent it like the key it belongs with`,
            line: line.number,
            column: line.indent + 1,
          };
        }
        break;
      }
    }
  }
  return undefined;
}

function quote(text: string): string {
  return JSON.stringify(text.length > 50 ? `${text.slice(0, 47)}...` : text);
}

/** The offset of the `:` that ends a block key (`: ` or `:` at the end), outside quotes; -1 when there is none. */
function keyColon(content: string): number {
  let i = 0;
  if (content.startsWith('"') || content.startsWith("'")) {
    const end = closingQuoteFrom(content, 1, content.charAt(0));
    if (end < 0) return -1;
    i = end + 1;
  }
  for (; i < content.length; i++) {
    if (content.charAt(i) === ':' && (i + 1 === content.length || content.charAt(i + 1) === ' ')) return i;
  }
  return -1;
}

/** `A: a` (a value on the line), not `A:` (its value below) nor a flow collection left open. */
function hasInlineValue(content: string): boolean {
  const colon = keyColon(content);
  if (colon < 0) return false;
  const value = content.slice(colon + 1).trim();
  return value !== '' && !value.startsWith('|') && !value.startsWith('>') && !/^[&!]\S*$/.test(value);
}

/**
 * Splits the text into lines (indentation, content without comment) and finds the first bracket or quote problem:
 * a `{`/`[` or quote never closed (at the line that opened it), a closer of the wrong kind, or one that closes nothing
 * right after a flow collection ended.
 */
function scanText(text: string): { lines: Line[]; flow?: YamlMistake } {
  const raw = text.split(/\r?\n/);
  const lines: Line[] = [];
  const stack: Opener[] = [];
  /** Inside a quoted scalar that goes on over lines: its opener. */
  let inQuote: Opener | undefined;
  for (let n = 0; n < raw.length; n++) {
    const source = raw[n] ?? '';
    const number = n + 1;
    const continued = stack.length > 0 || inQuote !== undefined;
    const indent = source.length - source.trimStart().length;
    let i = indent;
    let content = '';
    let scalarStart = true;
    let afterFlow = false;
    if (inQuote !== undefined) {
      const end = closingQuoteFrom(source, 0, inQuote.char);
      if (end < 0) {
        lines.push({ number, indent, content: source.trim(), continued });
        continue;
      }
      inQuote = undefined;
      i = end + 1;
      scalarStart = false;
    }
    // A new block-level line with a flow collection still open at or left of the line that opened it: never closed.
    if (!continued || stack.length === 0) {
      /* nothing open */
    } else if (source.trim() !== '' && !source.trimStart().startsWith('#')) {
      const first = stack[0] as Opener;
      const openerIndent =
        (raw[first.line - 1] ?? '').length - (raw[first.line - 1] ?? '').trimStart().length;
      if (indent <= openerIndent && /^\s*[^\s\]}]/.test(source)) return { lines, flow: unclosed(first) };
    }
    for (; i < source.length; i++) {
      const c = source.charAt(i);
      if (c === '#' && (i === 0 || /\s/.test(source.charAt(i - 1)))) break;
      if (c === ' ' || c === '\t') {
        content += c;
        continue;
      }
      if ((c === '"' || c === "'") && scalarStart) {
        const end = closingQuoteFrom(source, i + 1, c);
        if (end < 0) {
          inQuote = { char: c, line: number, column: i + 1 };
          content += source.slice(i);
          break;
        }
        content += source.slice(i, end + 1);
        i = end;
        scalarStart = false;
        continue;
      }
      if ((c === '{' || c === '[') && (scalarStart || stack.length > 0)) {
        stack.push({ char: c, line: number, column: i + 1 });
        content += c;
        scalarStart = true;
        continue;
      }
      if (c === '}' || c === ']') {
        const top = stack.at(-1);
        if (top !== undefined) {
          if (CLOSER[top.char] !== c) {
            return {
              lines,
              flow: {
                message: `the ${top.char} opened on line ${top.line} is closed by ${c} on line ${number}: close it with ${CLOSER[top.char] ?? ''}`,
                line: number,
                column: i + 1,
              },
            };
          }
          stack.pop();
          afterFlow = stack.length === 0;
          content += c;
          scalarStart = false;
          continue;
        }
        if (afterFlow) {
          return {
            lines,
            flow: {
              message: `the ${c} on line ${number} closes nothing: remove it`,
              line: number,
              column: i + 1,
            },
          };
        }
      }
      content += c;
      scalarStart =
        (c === ':' && (i + 1 === source.length || source.charAt(i + 1) === ' ')) ||
        (c === ',' && stack.length > 0) ||
        (c === '-' && content.trim() === '-') ||
        (c === '?' && content.trim() === '?');
      if (c === ':' && stack.length > 0) scalarStart = true;
    }
    lines.push({ number, indent, content: content.trim(), continued });
  }
  if (inQuote !== undefined) {
    return {
      lines,
      flow: {
        message: `the ${inQuote.char} opened on line ${inQuote.line} is never closed: end the text with ${inQuote.char} on that line`,
        line: inQuote.line,
        column: inQuote.column,
      },
    };
  }
  const first = stack[0];
  return first === undefined ? { lines } : { lines, flow: unclosed(first) };
}

function unclosed(opener: Opener): YamlMistake {
  const close = CLOSER[opener.char] ?? '';
  return {
    message: `the ${opener.char} opened on line ${opener.line} is never closed: add ${close} where it ends (on that line)`,
    line: opener.line,
    column: opener.column,
  };
}

/** The offset of the `q` quote that closes a quoted scalar, from `from` (`\\"` escapes in "...", `''` in '...'), or -1. */
function closingQuoteFrom(text: string, from: number, q: string): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charAt(i);
    if (q === '"' && c === '\\') {
      i++;
      continue;
    }
    if (c === q) {
      if (q === "'" && text.charAt(i + 1) === "'") {
        i++;
        continue;
      }
      return i;
    }
  }
  return -1;
}
