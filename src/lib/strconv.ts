// The parts of Go's strconv Berth needs wherever it must behave as Go programs do (docker's CLI
// flags, go-units, Go templates): quoting and unquoting, parsing numbers with Go's syntax and
// error messages, and formatting floats (%e %f %g %x %b) with Go's rounding.
import { InvalidArgument } from '../errors/index.ts';

const lowerHex = '0123456789abcdef';

/** A literal that is not valid Go syntax (strconv.ErrSyntax). */
export class StrconvSyntaxError extends Error {
  constructor() {
    super('invalid syntax');
  }
}

// Built on first use: V8 checks a literal's Unicode property classes when it parses the file
// (~0.5 ms), a cost every berth command paid at start-up for a function few of them call.
let printable: RegExp | undefined;

/** Go's strconv.IsPrint (same as unicode.IsPrint): letters, marks, numbers, punctuation, symbols, ASCII space. */
export function isPrint(cp: number): boolean {
  if (cp < 0x80) return cp >= 0x20 && cp < 0x7f;
  if (cp >= 0xd800 && cp <= 0xdfff) return false;
  printable ??= new RegExp('^[\\p{L}\\p{M}\\p{N}\\p{P}\\p{S}]$', 'u');
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
  const v = Number.parseInt(c, 16);
  if (Number.isNaN(v) || c.length !== 1) throw new StrconvSyntaxError();
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
  if (s.length === 0) throw new StrconvSyntaxError();
  const c = s[0];
  if (c === q && (q === "'" || q === '"')) throw new StrconvSyntaxError();
  const cp = s.codePointAt(0)!;
  if (cp >= 0x80) {
    const len = cp > 0xffff ? 2 : 1;
    return { value: cp, multibyte: true, tail: s.slice(len) };
  }
  if (c !== '\\') return { value: cp, multibyte: false, tail: s.slice(1) };
  if (s.length <= 1) throw new StrconvSyntaxError();
  const e = s[1];
  let rest = s.slice(2);
  const simple: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92 };
  if (e in simple) return { value: simple[e], multibyte: false, tail: rest };
  if (e === 'x' || e === 'u' || e === 'U') {
    const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
    if (rest.length < n) throw new StrconvSyntaxError();
    let v = 0;
    for (let j = 0; j < n; j++) v = v * 16 + unhex(rest[j]);
    rest = rest.slice(n);
    if (e === 'x') return { value: v, multibyte: false, tail: rest };
    if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) throw new StrconvSyntaxError();
    return { value: v, multibyte: true, tail: rest };
  }
  if (e >= '0' && e <= '7') {
    let v = e.charCodeAt(0) - 48;
    if (rest.length < 2) throw new StrconvSyntaxError();
    for (let j = 0; j < 2; j++) {
      const x = rest.charCodeAt(j) - 48;
      if (x < 0 || x > 7) throw new StrconvSyntaxError();
      v = v * 8 + x;
    }
    if (v > 255) throw new StrconvSyntaxError();
    return { value: v, multibyte: false, tail: rest.slice(2) };
  }
  if (e === "'" || e === '"') {
    if (e !== q) throw new StrconvSyntaxError();
    return { value: e.charCodeAt(0), multibyte: false, tail: rest };
  }
  throw new StrconvSyntaxError();
}

function utf8Bytes(cp: number): number[] {
  return [...Buffer.from(String.fromCodePoint(cp), 'utf8')];
}

/** Go's strconv.Unquote for "…", `…` and '…' literals; bytes that are not UTF-8 become U+FFFD. */
export function unquote(s: string): string {
  if (s.length < 2) throw new StrconvSyntaxError();
  const q = s[0];
  if (q !== s[s.length - 1]) throw new StrconvSyntaxError();
  let body = s.slice(1, -1);
  if (q === '`') {
    if (body.includes('`')) throw new StrconvSyntaxError();
    return body.replace(/\r/g, '');
  }
  if (q !== '"' && q !== "'") throw new StrconvSyntaxError();
  if (body.includes('\n')) throw new StrconvSyntaxError();
  const bytes: number[] = [];
  let runes = 0;
  while (body.length > 0) {
    const r = unquoteChar(body, q);
    body = r.tail;
    if (r.value < 0x80 || !r.multibyte) bytes.push(r.value);
    else bytes.push(...utf8Bytes(r.value));
    runes++;
    if (q === "'" && body.length !== 0) throw new StrconvSyntaxError();
  }
  if (q === "'" && runes !== 1) throw new StrconvSyntaxError();
  return new TextDecoder().decode(Uint8Array.from(bytes));
}

// ---- numbers ---------------------------------------------------------------------------------

/** Go's *strconv.NumError: `strconv.ParseInt: parsing "x": invalid syntax`. */
export class NumError extends InvalidArgument {
  readonly reason: 'invalid syntax' | 'value out of range';
  constructor(func: string, num: string, reason: 'invalid syntax' | 'value out of range') {
    super(`strconv.${func}: parsing ${quote(num)}: ${reason}`);
    this.reason = reason;
  }
}

/** Go's underscoreOK: "_" only between digits, or right after a base prefix. */
export function underscoreOK(s: string): boolean {
  let saw = '^';
  let i = 0;
  if (s.length >= 1 && (s[0] === '-' || s[0] === '+')) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'bBoOxX'.includes(s[1])) {
    i = 2;
    saw = '0';
    hex = s[1] === 'x' || s[1] === 'X';
  }
  for (; i < s.length; i++) {
    const c = s[i];
    if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) {
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

/** Go's strconv.ParseUint(s, 0, bitSize): base prefixes 0b, 0o, 0x and 0 (octal), underscores. */
export function parseUint(s: string, bitSize = 64, func = 'ParseUint'): bigint {
  const syntax = () => new NumError(func, s, 'invalid syntax');
  const range = () => new NumError(func, s, 'value out of range');
  if (s === '') throw syntax();
  let body = s;
  let base = 10n;
  if (body[0] === '0') {
    const prefix = body.length >= 3 ? body[1].toLowerCase() : '';
    base = prefix === 'b' ? 2n : prefix === 'x' ? 16n : 8n;
    body = prefix === 'b' || prefix === 'o' || prefix === 'x' ? body.slice(2) : body.slice(1);
  }
  const max = (1n << BigInt(bitSize)) - 1n;
  const cutoff = ((1n << 64n) - 1n) / base + 1n;
  let n = 0n;
  let underscores = false;
  for (const ch of body) {
    if (ch === '_') {
      underscores = true;
      continue;
    }
    const code = ch.toLowerCase().charCodeAt(0);
    const d = code >= 48 && code <= 57 ? BigInt(code - 48) : code >= 97 && code <= 122 ? BigInt(code - 87) : -1n;
    if (d < 0n || d >= base) throw syntax();
    // Go reports overflow at the first digit that overflows, before looking further.
    if (n >= cutoff) throw range();
    n = n * base + d;
    if (n > max) throw range();
  }
  if (underscores && !underscoreOK(s)) throw syntax();
  return n;
}

/** Go's strconv.ParseInt(s, 0, bitSize). */
export function parseInt(s: string, bitSize = 64): bigint {
  let body = s;
  let neg = false;
  if (body[0] === '+' || body[0] === '-') {
    neg = body[0] === '-';
    body = body.slice(1);
  }
  let u: bigint;
  try {
    u = parseUint(body, 64, 'ParseInt');
  } catch (err) {
    throw new NumError('ParseInt', s, (err as NumError).reason);
  }
  const limit = 1n << BigInt(bitSize - 1);
  if ((!neg && u >= limit) || (neg && u > limit)) throw new NumError('ParseInt', s, 'value out of range');
  return neg ? -u : u;
}

/** Go's strconv.ParseFloat(s, 64): decimal and hexadecimal forms, inf and nan, underscores. */
export function parseFloat(s: string): number {
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(s);
  if (special) {
    if (special[2].toLowerCase() === 'nan') return NaN;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  const syntax = () => new NumError('ParseFloat', s, 'invalid syntax');
  if (s.includes('_') && !underscoreOK(s)) throw syntax();
  const t = s.replace(/_/g, '');
  let v: number;
  const hexm = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(t);
  if (hexm) {
    const [, sign, int, frac = '', exp] = hexm;
    if (int.length + frac.length === 0) throw syntax();
    v = Number(BigInt('0x' + (int + frac || '0'))) * 2 ** (Number(exp) - 4 * frac.length) * (sign === '-' ? -1 : 1);
  } else if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) {
    v = Number(t);
  } else throw syntax();
  if (!Number.isFinite(v)) throw new NumError('ParseFloat', s, 'value out of range');
  return v;
}

/** Go's strconv.ParseBool. */
export function parseBool(s: string): boolean {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(s)) return false;
  throw new NumError('ParseBool', s, 'invalid syntax');
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
