// The parts of Go's strconv that templates and fmt need: quoting and unquoting Go literals,
// parsing number literals, and formatting floats (%e %f %g %x %b) with Go's rounding.

const lowerHex = '0123456789abcdef';

export class SyntaxError extends Error {
  constructor() {
    super('invalid syntax');
  }
}

const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** Go's strconv.IsPrint (same as unicode.IsPrint): letters, marks, numbers, punctuation, symbols, ASCII space. */
export function isPrint(cp: number): boolean {
  if (cp < 0x80) return cp >= 0x20 && cp < 0x7f;
  if (cp >= 0xd800 && cp <= 0xdfff) return false;
  return printable.test(String.fromCodePoint(cp));
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

function escapeRune(cp: number, quote: string, asciiOnly: boolean): string {
  const ch = String.fromCodePoint(cp);
  if (ch === quote || ch === '\\') return '\\' + ch;
  if (asciiOnly ? cp < 0x80 && isPrint(cp) : isPrint(cp)) return ch;
  switch (ch) {
    case '\x07':
      return '\\a';
    case '\b':
      return '\\b';
    case '\f':
      return '\\f';
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    case '\v':
      return '\\v';
  }
  if (cp < 0x20 || cp === 0x7f) return '\\x' + hex(cp, 2);
  if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd; // a lone surrogate is not valid UTF-8
  if (cp < 0x10000) return '\\u' + hex(cp, 4);
  return '\\U' + hex(cp, 8);
}

function quoteWith(s: string, quote: string, asciiOnly: boolean): string {
  let out = quote;
  for (const ch of s) out += escapeRune(ch.codePointAt(0)!, quote, asciiOnly);
  return out + quote;
}

/** Go's strconv.Quote (or QuoteToASCII). */
export function quote(s: string, asciiOnly = false): string {
  return quoteWith(s, '"', asciiOnly);
}

/** Go's strconv.QuoteRune (or QuoteRuneToASCII). */
export function quoteRune(cp: number, asciiOnly = false): string {
  if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp < 0) cp = 0xfffd;
  return "'" + escapeRune(cp, "'", asciiOnly) + "'";
}

/** Go's strconv.CanBackquote. */
export function canBackquote(s: string): boolean {
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0xfeff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    if (cp < 0x80 && ((cp < 0x20 && cp !== 0x09) || cp === 0x60 || cp === 0x7f)) return false;
  }
  return true;
}

function unhex(c: string): number {
  const v = parseInt(c, 16);
  if (Number.isNaN(v) || c.length !== 1) throw new SyntaxError();
  return v;
}

interface UnquotedChar {
  value: number;
  /** True when value is a rune to encode as UTF-8; false for a single byte (\x, octal). */
  multibyte: boolean;
  tail: string;
}

/** Go's strconv.UnquoteChar over a JavaScript string (non-ASCII characters are whole runes). */
export function unquoteChar(s: string, q: string): UnquotedChar {
  if (s.length === 0) throw new SyntaxError();
  const c = s[0];
  if (c === q && (q === "'" || q === '"')) throw new SyntaxError();
  const cp = s.codePointAt(0)!;
  if (cp >= 0x80) {
    const len = cp > 0xffff ? 2 : 1;
    return { value: cp, multibyte: true, tail: s.slice(len) };
  }
  if (c !== '\\') return { value: cp, multibyte: false, tail: s.slice(1) };
  if (s.length <= 1) throw new SyntaxError();
  const e = s[1];
  let rest = s.slice(2);
  const simple: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92 };
  if (e in simple) return { value: simple[e], multibyte: false, tail: rest };
  if (e === 'x' || e === 'u' || e === 'U') {
    const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
    if (rest.length < n) throw new SyntaxError();
    let v = 0;
    for (let j = 0; j < n; j++) v = v * 16 + unhex(rest[j]);
    rest = rest.slice(n);
    if (e === 'x') return { value: v, multibyte: false, tail: rest };
    if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) throw new SyntaxError();
    return { value: v, multibyte: true, tail: rest };
  }
  if (e >= '0' && e <= '7') {
    let v = e.charCodeAt(0) - 48;
    if (rest.length < 2) throw new SyntaxError();
    for (let j = 0; j < 2; j++) {
      const x = rest.charCodeAt(j) - 48;
      if (x < 0 || x > 7) throw new SyntaxError();
      v = v * 8 + x;
    }
    if (v > 255) throw new SyntaxError();
    return { value: v, multibyte: false, tail: rest.slice(2) };
  }
  if (e === "'" || e === '"') {
    if (e !== q) throw new SyntaxError();
    return { value: e.charCodeAt(0), multibyte: false, tail: rest };
  }
  throw new SyntaxError();
}

function utf8Bytes(cp: number): number[] {
  return [...Buffer.from(String.fromCodePoint(cp), 'utf8')];
}

/** Go's strconv.Unquote for "…", `…` and '…' literals; bytes that are not UTF-8 become U+FFFD. */
export function unquote(s: string): string {
  if (s.length < 2) throw new SyntaxError();
  const q = s[0];
  if (q !== s[s.length - 1]) throw new SyntaxError();
  let body = s.slice(1, -1);
  if (q === '`') {
    if (body.includes('`')) throw new SyntaxError();
    return body.replace(/\r/g, '');
  }
  if (q !== '"' && q !== "'") throw new SyntaxError();
  if (body.includes('\n')) throw new SyntaxError();
  const bytes: number[] = [];
  let runes = 0;
  while (body.length > 0) {
    const r = unquoteChar(body, q);
    body = r.tail;
    if (r.value < 0x80 || !r.multibyte) bytes.push(r.value);
    else bytes.push(...utf8Bytes(r.value));
    runes++;
    if (q === "'" && body.length !== 0) throw new SyntaxError();
  }
  if (q === "'" && runes !== 1) throw new SyntaxError();
  return new TextDecoder().decode(Uint8Array.from(bytes));
}

// ---- number literals -------------------------------------------------------------------------

/** Go's underscoreOK: underscores only between digits (or after a base prefix). */
function underscoreOK(s: string): boolean {
  let saw = '^';
  let i = 0;
  if (s.length >= 1 && (s[0] === '-' || s[0] === '+')) s = s.slice(1);
  let isHex = false;
  if (s.length >= 2 && s[0] === '0' && 'bBoOxX'.includes(s[1])) {
    i = 2;
    saw = '0';
    isHex = s[1] === 'x' || s[1] === 'X';
  }
  for (; i < s.length; i++) {
    const c = s[i];
    if ((c >= '0' && c <= '9') || (isHex && /[a-fA-F]/.test(c))) {
      saw = '0';
      continue;
    }
    if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

/** Go's strconv.ParseUint(s, 0, 64); undefined on any error. */
function parseUint(s: string): bigint | undefined {
  if (s.length === 0) return undefined;
  const s0 = s;
  let base = 10;
  if (s[0] === '0') {
    if (s.length >= 3 && 'bBoOxX'.includes(s[1])) {
      base = { b: 2, o: 8, x: 16 }[s[1].toLowerCase() as 'b' | 'o' | 'x'];
      s = s.slice(2);
    } else {
      base = 8;
      s = s.slice(1);
    }
  }
  let n = 0n;
  let underscores = false;
  let digits = 0;
  for (const c of s) {
    if (c === '_') {
      underscores = true;
      continue;
    }
    const d = parseInt(c, 36);
    if (Number.isNaN(d) || d >= base) return undefined;
    n = n * BigInt(base) + BigInt(d);
    digits++;
    if (n > 0xffffffffffffffffn) return undefined;
  }
  if (digits === 0 && base !== 8) return undefined;
  if (underscores && !underscoreOK(s0)) return undefined;
  return n;
}

function parseInt64(s: string): bigint | undefined {
  let neg = false;
  if (s[0] === '+' || s[0] === '-') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  const u = parseUint(s);
  if (u === undefined) return undefined;
  if (!neg && u > 0x7fffffffffffffffn) return undefined;
  if (neg && u > 0x8000000000000000n) return undefined;
  return neg ? -u : u;
}

/** Go's strconv.ParseFloat(s, 64) for the syntax the template lexer can produce. */
function parseFloat64(s: string): number | undefined {
  if (s.includes('_') && !underscoreOK(s)) return undefined;
  const t = s.replace(/_/g, '');
  const hexm = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(t);
  if (hexm) {
    const [, sign, int, frac = '', exp] = hexm;
    if (int.length + frac.length === 0) return undefined;
    const mant = BigInt('0x' + (int + frac || '0'));
    const v = Number(mant) * 2 ** (Number(exp) - 4 * frac.length);
    if (!Number.isFinite(v)) return undefined;
    return sign === '-' ? -v : v;
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return undefined;
  const v = Number(t);
  return Number.isFinite(v) ? v : undefined;
}

export interface NumberLiteral {
  isInt: boolean;
  isUint: boolean;
  isFloat: boolean;
  int: bigint;
  uint: bigint;
  float: number;
}

/** Go's parse.Tree.newNumber for number and character literals; throws with Go's message. */
export function parseNumberLiteral(text: string, kind: 'number' | 'char' | 'complex'): NumberLiteral {
  if (kind === 'complex') throw new Error(`complex constants are not supported: ${text}`);
  const isChar = kind === 'char';
  const n: NumberLiteral = { isInt: false, isUint: false, isFloat: false, int: 0n, uint: 0n, float: 0 };
  if (isChar) {
    const r = unquoteChar(text.slice(1), "'");
    if (r.tail !== "'") throw new Error(`malformed character constant: ${text}`);
    return { isInt: true, isUint: true, isFloat: true, int: BigInt(r.value), uint: BigInt(r.value), float: r.value };
  }
  // Imaginary and complex constants parse in Go; Berth has no complex values to give them.
  if (text.endsWith('i') && parseFloat64(text.slice(0, -1)) !== undefined) throw new Error(`complex constants are not supported: ${text}`);
  const u = parseUint(text);
  if (u !== undefined) {
    n.isUint = true;
    n.uint = u;
  }
  const i = parseInt64(text);
  if (i !== undefined) {
    n.isInt = true;
    n.int = i;
    if (i === 0n) {
      n.isUint = true;
      n.uint = 0n;
    }
  }
  if (n.isInt) {
    n.isFloat = true;
    n.float = Number(n.int);
  } else if (n.isUint) {
    n.isFloat = true;
    n.float = Number(n.uint);
  } else {
    const f = parseFloat64(text);
    if (f !== undefined) {
      if (!/[.eEpP]/.test(text)) throw new Error(`integer overflow: ${text}`);
      n.isFloat = true;
      n.float = f;
      if (Number.isInteger(f) && f >= -(2 ** 63) && f < 2 ** 63) {
        n.isInt = true;
        n.int = BigInt(f);
      }
      if (Number.isInteger(f) && f >= 0 && f < 2 ** 64) {
        n.isUint = true;
        n.uint = BigInt(f);
      }
    }
  }
  if (!n.isInt && !n.isUint && !n.isFloat) throw new Error(`illegal number syntax: ${quote(text)}`);
  return n;
}

// ---- float formatting ------------------------------------------------------------------------

/** Decimal digits d with the decimal point dp places from the left: 0.d × 10^dp. */
interface Decimal {
  d: string;
  dp: number;
}

function shortestDecimal(abs: number): Decimal {
  if (abs === 0) return { d: '', dp: 0 };
  const [m, e] = abs.toExponential().split('e');
  return { d: m.replace('.', ''), dp: Number(e) + 1 };
}

function float64Bits(f: number): { neg: boolean; exp: number; mant: bigint } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, f);
  const bits = view.getBigUint64(0);
  return { neg: bits >> 63n === 1n, exp: Number((bits >> 52n) & 0x7ffn), mant: bits & ((1n << 52n) - 1n) };
}

/** The exact decimal expansion of a finite, non-negative double. */
function exactDecimal(abs: number): Decimal {
  if (abs === 0) return { d: '', dp: 0 };
  const b = float64Bits(abs);
  let mant = b.mant;
  let exp = b.exp;
  if (exp === 0) exp = 1;
  else mant |= 1n << 52n;
  exp -= 1075;
  let digits: string;
  let dp: number;
  if (exp >= 0) {
    digits = (mant << BigInt(exp)).toString();
    dp = digits.length;
  } else {
    digits = (mant * 5n ** BigInt(-exp)).toString();
    dp = digits.length + exp;
  }
  return { d: digits.replace(/0+$/, ''), dp };
}

/** Rounds to nd digits, half to even on exact ties (Go's decimal.Round). */
function roundDecimal(a: Decimal, nd: number): Decimal {
  if (nd < 0 || nd >= a.d.length) return a;
  const roundUp = a.d[nd] === '5' && nd + 1 === a.d.length ? nd > 0 && (a.d.charCodeAt(nd - 1) - 48) % 2 === 1 : a.d[nd] >= '5';
  if (!roundUp) return { d: a.d.slice(0, nd).replace(/0+$/, ''), dp: a.d.slice(0, nd).replace(/0+$/, '') === '' ? 0 : a.dp };
  let i = nd - 1;
  const digits = a.d.slice(0, nd).split('');
  while (i >= 0 && digits[i] === '9') i--;
  if (i < 0) return { d: '1', dp: a.dp + 1 };
  digits[i] = String.fromCharCode(digits[i].charCodeAt(0) + 1);
  return { d: digits.slice(0, i + 1).join(''), dp: a.dp };
}

function fmtE(neg: boolean, d: Decimal, prec: number, fmt: string): string {
  let out = neg ? '-' : '';
  out += d.d.length > 0 ? d.d[0] : '0';
  if (prec > 0) {
    out += '.';
    const m = Math.min(d.d.length, prec + 1);
    out += d.d.slice(1, m);
    out += '0'.repeat(Math.max(0, prec + 1 - Math.max(m, 1)));
  }
  let exp = d.d.length === 0 ? 0 : d.dp - 1;
  const sign = exp < 0 ? '-' : '+';
  exp = Math.abs(exp);
  return out + fmt + sign + (exp < 10 ? '0' + exp : String(exp));
}

function fmtF(neg: boolean, d: Decimal, prec: number): string {
  let out = neg ? '-' : '';
  if (d.dp > 0) {
    const m = Math.min(d.d.length, d.dp);
    out += d.d.slice(0, m) + '0'.repeat(d.dp - m);
  } else {
    out += '0';
  }
  if (prec > 0) {
    out += '.';
    for (let i = 1; i <= prec; i++) {
      const j = d.dp + i - 1;
      out += j >= 0 && j < d.d.length ? d.d[j] : '0';
    }
  }
  return out;
}

function fmtB(neg: boolean, f: number): string {
  const b = float64Bits(f);
  let mant = b.mant;
  let exp = b.exp;
  if (exp === 0) exp = 1;
  else mant |= 1n << 52n;
  exp -= 1075;
  return `${neg ? '-' : ''}${mant}p${exp >= 0 ? '+' : '-'}${Math.abs(exp)}`;
}

function fmtX(neg: boolean, f: number, prec: number, fmt: 'x' | 'X'): string {
  const b = float64Bits(f);
  let mant = b.mant;
  let exp = b.exp;
  if (exp === 0) exp = 1;
  else mant |= 1n << 52n;
  exp -= 1023;
  if (mant === 0n) exp = 0;
  mant <<= 60n - 52n;
  while (mant !== 0n && (mant & (1n << 60n)) === 0n) {
    mant <<= 1n;
    exp--;
  }
  const mask60 = (1n << 60n) - 1n;
  if (prec >= 0 && prec < 15) {
    const shift = BigInt(prec * 4);
    const extra = (mant << shift) & mask60;
    mant >>= 60n - shift;
    if ((extra | (mant & 1n)) > 1n << 59n) mant++;
    mant <<= 60n - shift;
    if ((mant & (1n << 61n)) !== 0n) {
      mant >>= 1n;
      exp++;
    }
  }
  const digits = fmt === 'X' ? lowerHex.toUpperCase() : lowerHex;
  let out = (neg ? '-' : '') + '0' + fmt + String((mant >> 60n) & 1n);
  mant = (mant << 4n) & ((1n << 64n) - 1n);
  if (prec < 0 && mant !== 0n) {
    out += '.';
    while (mant !== 0n) {
      out += digits[Number((mant >> 60n) & 15n)];
      mant = (mant << 4n) & ((1n << 64n) - 1n);
    }
  } else if (prec > 0) {
    out += '.';
    for (let i = 0; i < prec; i++) {
      out += digits[Number((mant >> 60n) & 15n)];
      mant = (mant << 4n) & ((1n << 64n) - 1n);
    }
  }
  out += fmt === 'X' ? 'P' : 'p';
  out += exp < 0 ? '-' : '+';
  exp = Math.abs(exp);
  return out + (exp < 10 ? '0' + exp : String(exp));
}

/** Go's strconv.FormatFloat(f, fmt, prec, 64); prec -1 means the shortest exact representation. */
export function formatFloat(f: number, fmt: string, prec: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  const neg = f < 0 || Object.is(f, -0);
  const abs = Math.abs(f);
  if (fmt === 'b') return fmtB(neg, abs);
  if (fmt === 'x' || fmt === 'X') return fmtX(neg, abs, prec, fmt);
  const shortest = prec < 0;
  let d: Decimal;
  if (shortest) {
    d = shortestDecimal(abs);
    switch (fmt) {
      case 'e':
      case 'E':
        prec = Math.max(d.d.length - 1, 0);
        break;
      case 'f':
        prec = Math.max(d.d.length - d.dp, 0);
        break;
      default:
        prec = d.d.length;
    }
  } else {
    d = exactDecimal(abs);
    switch (fmt) {
      case 'e':
      case 'E':
        d = roundDecimal(d, prec + 1);
        break;
      case 'f':
        d = roundDecimal(d, d.dp + prec);
        break;
      default:
        if (prec === 0) prec = 1;
        d = roundDecimal(d, prec);
    }
  }
  switch (fmt) {
    case 'e':
    case 'E':
      return fmtE(neg, d, prec, fmt);
    case 'f':
      return fmtF(neg, d, prec);
    case 'g':
    case 'G': {
      let eprec = prec;
      if (eprec > d.d.length && d.d.length >= d.dp) eprec = d.d.length;
      if (shortest) eprec = 6;
      const exp = d.dp - 1;
      if (exp < -4 || exp >= eprec) {
        if (prec > d.d.length) prec = d.d.length;
        return fmtE(neg, d, prec - 1, fmt === 'g' ? 'e' : 'E');
      }
      if (prec > d.dp) prec = d.d.length;
      return fmtF(neg, d, Math.max(prec - d.dp, 0));
    }
  }
  return '%' + fmt;
}
