// The lexer of Go's text/template: text between actions (with "{{- " and " -}}" trimming), and
// the tokens inside each action.

export type TokenKind =
  | 'text'
  | 'leftDelim'
  | 'rightDelim'
  | 'identifier'
  | 'keyword'
  | 'field'
  | 'variable'
  | 'dot'
  | 'pipe'
  | 'leftParen'
  | 'rightParen'
  | 'string'
  | 'rawString'
  | 'char'
  | 'number'
  | 'bool'
  | 'nil'
  | 'assign'
  | 'declare'
  | 'comma'
  | 'space'
  | 'eof';

export interface Token {
  kind: TokenKind;
  value: string;
  line: number;
  /** Column of the token (1-based) within its line, for Go-style error positions. */
  col: number;
}

export const keywords = new Set(['block', 'break', 'continue', 'define', 'else', 'end', 'if', 'range', 'template', 'with']);

export class TemplateError extends Error {}

const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlnum = (c: string | undefined) => c !== undefined && /[\p{L}\p{Nd}_]/u.test(c);

export function lex(name: string, input: string): Token[] {
  const tokens: Token[] = [];
  const lineStarts = [0];
  for (let i = 0; i < input.length; i++) if (input[i] === '\n') lineStarts.push(i + 1);
  const where = (offset: number) => {
    let l = 0;
    while (l + 1 < lineStarts.length && lineStarts[l + 1] <= offset) l++;
    return { line: l + 1, col: offset - lineStarts[l] + 1 };
  };
  const push = (kind: TokenKind, value: string, offset: number) => tokens.push({ kind, value, ...where(offset) });
  const fail = (msg: string, offset: number): never => {
    throw new TemplateError(`template: ${name}:${where(offset).line}: ${msg}`);
  };

  let pos = 0;
  while (pos < input.length) {
    const open = input.indexOf('{{', pos);
    if (open < 0) {
      push('text', input.slice(pos), pos);
      break;
    }
    const leftTrim = input[open + 2] === '-' && isSpace(input[open + 3]);
    let text = input.slice(pos, open);
    if (leftTrim) text = text.replace(/[ \t\r\n]+$/, '');
    if (text) push('text', text, pos);
    const start = open + 2 + (leftTrim ? 1 : 0);
    // Find the closing delimiter outside quotes.
    let p = start;
    let close = -1;
    while (p < input.length) {
      const c = input[p];
      if (c === '"' || c === "'") {
        p++;
        while (p < input.length && input[p] !== c) {
          if (input[p] === '\\') p++;
          p++;
        }
        p++;
        continue;
      }
      if (c === '`') {
        const e = input.indexOf('`', p + 1);
        if (e < 0) fail('unterminated raw quoted string', p);
        p = e + 1;
        continue;
      }
      if (input.startsWith('}}', p)) {
        close = p;
        break;
      }
      p++;
    }
    if (close < 0) fail('unclosed action', open);
    const rightTrim = input[close - 1] === '-' && isSpace(input[close - 2]) && close - 2 >= start;
    const end = rightTrim ? close - 2 : close;
    const body = input.slice(start, end);
    const trimmedBody = body.trim();
    if (trimmedBody.startsWith('/*')) {
      if (!trimmedBody.endsWith('*/')) fail('comment ends before closing delimiter', start);
    } else {
      push('leftDelim', '{{', open);
      lexAction(input, start, end, push, fail);
      push('rightDelim', '}}', close);
    }
    pos = close + 2;
    if (rightTrim) while (pos < input.length && isSpace(input[pos])) pos++;
  }
  push('eof', '', input.length);
  return tokens;
}

function lexAction(
  input: string,
  start: number,
  end: number,
  push: (k: TokenKind, v: string, o: number) => void,
  fail: (m: string, o: number) => never,
): void {
  let pos = start;
  while (pos < end) {
    const c = input[pos];
    if (isSpace(c)) {
      const s = pos;
      while (pos < end && isSpace(input[pos])) pos++;
      push('space', input.slice(s, pos), s);
      continue;
    }
    const single: Record<string, TokenKind> = { '|': 'pipe', '(': 'leftParen', ')': 'rightParen', ',': 'comma', '=': 'assign' };
    if (single[c]) {
      push(single[c], c, pos++);
      continue;
    }
    if (c === ':') {
      if (input[pos + 1] !== '=') fail('expected :=', pos);
      push('declare', ':=', pos);
      pos += 2;
      continue;
    }
    if (c === '"' || c === "'") {
      const s = pos++;
      while (pos < end && input[pos] !== c) {
        if (input[pos] === '\\') pos++;
        if (input[pos] === '\n') fail('unterminated quoted string', s);
        pos++;
      }
      if (pos >= end) fail(c === '"' ? 'unterminated quoted string' : 'unterminated character constant', s);
      pos++;
      push(c === '"' ? 'string' : 'char', input.slice(s, pos), s);
      continue;
    }
    if (c === '`') {
      const s = pos;
      pos = input.indexOf('`', pos + 1) + 1;
      push('rawString', input.slice(s, pos), s);
      continue;
    }
    if (c === '$') {
      const s = pos++;
      while (pos < end && isAlnum(input[pos])) pos++;
      push('variable', input.slice(s, pos), s);
      continue;
    }
    if (c === '.') {
      if (/[0-9]/.test(input[pos + 1] ?? '')) {
        const s = pos;
        pos = scanNumber(input, pos);
        push('number', input.slice(s, pos), s);
        continue;
      }
      const s = pos++;
      if (isAlnum(input[pos])) {
        while (pos < end && isAlnum(input[pos])) pos++;
        push('field', input.slice(s, pos), s);
      } else push('dot', '.', s);
      continue;
    }
    if (/[0-9]/.test(c) || ((c === '+' || c === '-') && /[0-9.]/.test(input[pos + 1] ?? ''))) {
      const s = pos;
      pos = scanNumber(input, pos);
      if (isAlnum(input[pos])) fail(`bad number syntax: "${input.slice(s, pos + 1)}"`, s);
      push('number', input.slice(s, pos), s);
      continue;
    }
    if (isAlnum(c)) {
      const s = pos;
      while (pos < end && isAlnum(input[pos])) pos++;
      const word = input.slice(s, pos);
      if (keywords.has(word)) push('keyword', word, s);
      else if (word === 'true' || word === 'false') push('bool', word, s);
      else if (word === 'nil') push('nil', word, s);
      else push('identifier', word, s);
      continue;
    }
    fail(`unrecognized character in action: U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} ${JSON.stringify(c)}`, pos);
  }
}

function scanNumber(s: string, pos: number): number {
  let p = pos;
  if (s[p] === '+' || s[p] === '-') p++;
  if (/^0[xX]/.test(s.slice(p, p + 2))) {
    p += 2;
    while (/[0-9a-fA-F_]/.test(s[p] ?? '')) p++;
    return p;
  }
  while (/[0-9_]/.test(s[p] ?? '')) p++;
  if (s[p] === '.') {
    p++;
    while (/[0-9_]/.test(s[p] ?? '')) p++;
  }
  if ((s[p] === 'e' || s[p] === 'E') && /[0-9+-]/.test(s[p + 1] ?? '')) {
    p++;
    if (s[p] === '+' || s[p] === '-') p++;
    while (/[0-9]/.test(s[p] ?? '')) p++;
  }
  return p;
}
