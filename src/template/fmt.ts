// Go's fmt over the value model of values.ts: Sprint, Sprintln and Sprintf with every verb,
// flag, width, precision and argument index, and fmt's error notations (%!d(string=x),
// %!d(MISSING), %!(EXTRA …)).
import { canBackquote, formatFloat, isPrint, quote, quoteRune } from '../lib/index.ts';
import {
  FuncValue,
  MISSING,
  findMethod,
  kindOf,
  ownEntries,
  sortedEntries,
  structName,
  toBigInt,
  toNumber,
  typeName,
} from './values.ts';

const lowerDigits = '0123456789abcdefx';
const upperDigits = '0123456789ABCDEFX';

interface Flags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  plusV: boolean;
  sharpV: boolean;
  wid: number;
  widPresent: boolean;
  prec: number;
  precPresent: boolean;
}

function clearFlags(): Flags {
  return { plus: false, minus: false, sharp: false, space: false, zero: false, plusV: false, sharpV: false, wid: 0, widPresent: false, prec: 0, precPresent: false };
}

function runeCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

function isNilValue(v: unknown): boolean {
  return v === null || v === undefined || v === MISSING;
}

class Printer {
  buf = '';
  f: Flags = clearFlags();
  /** Print a pointer to a struct as the struct, as templates do for a printed value. */
  derefTop = false;
  #erroring = false;

  // ---- padding -----------------------------------------------------------------------------

  writePadding(n: number): void {
    if (n <= 0) return;
    this.buf += (this.f.zero ? '0' : ' ').repeat(n);
  }

  pad(s: string): void {
    if (!this.f.widPresent || this.f.wid === 0) {
      this.buf += s;
      return;
    }
    const width = this.f.wid - runeCount(s);
    if (!this.f.minus) {
      this.writePadding(width);
      this.buf += s;
    } else {
      this.buf += s;
      this.writePadding(width);
    }
  }

  truncate(s: string): string {
    if (this.f.precPresent) {
      const runes = [...s];
      if (runes.length > this.f.prec) return runes.slice(0, this.f.prec).join('');
    }
    return s;
  }

  // ---- scalars -----------------------------------------------------------------------------

  fmtBool(v: boolean, verb: string, arg: unknown): void {
    if (verb === 't' || verb === 'v') this.pad(v ? 'true' : 'false');
    else this.badVerb(verb, arg);
  }

  fmtIntegerBase(u: bigint, base: number, verb: string, digits: string): void {
    const f = this.f;
    const negative = u < 0n;
    if (negative) u = -u;
    let prec = 0;
    if (f.precPresent) {
      prec = f.prec;
      if (prec === 0 && u === 0n) {
        const oldZero = f.zero;
        f.zero = false;
        this.writePadding(f.wid);
        f.zero = oldZero;
        return;
      }
    } else if (f.zero && f.widPresent) {
      prec = f.wid;
      if (negative || f.plus || f.space) prec--;
    }
    let s = u.toString(base);
    if (digits === upperDigits) s = s.toUpperCase();
    if (s.length < prec) s = '0'.repeat(prec - s.length) + s;
    if (f.sharp) {
      if (base === 2) s = '0b' + s;
      else if (base === 8 && s[0] !== '0') s = '0' + s;
      else if (base === 16) s = '0' + digits[16] + s;
    }
    if (verb === 'O') s = '0o' + s;
    if (negative) s = '-' + s;
    else if (f.plus) s = '+' + s;
    else if (f.space) s = ' ' + s;
    const oldZero = f.zero;
    f.zero = false;
    this.pad(s);
    f.zero = oldZero;
  }

  fmtInteger(v: bigint, verb: string, arg: unknown): void {
    switch (verb) {
      case 'v':
      case 'd':
        return this.fmtIntegerBase(v, 10, verb, lowerDigits);
      case 'b':
        return this.fmtIntegerBase(v, 2, verb, lowerDigits);
      case 'o':
      case 'O':
        return this.fmtIntegerBase(v, 8, verb, lowerDigits);
      case 'x':
        return this.fmtIntegerBase(v, 16, verb, lowerDigits);
      case 'X':
        return this.fmtIntegerBase(v, 16, verb, upperDigits);
      case 'c':
        return this.pad(String.fromCodePoint(validRune(v)));
      case 'q': {
        const r = validRune(v);
        if (this.f.sharp && isPrint(r) && r !== 0x27) this.pad(`'${String.fromCodePoint(r)}'`);
        else this.pad(quoteRune(r, this.f.plus));
        return;
      }
      case 'e':
      case 'E':
      case 'f':
      case 'F':
      case 'g':
      case 'G':
        // Go rejects float verbs for ints, but JSON turns a whole float64 (a CPU share of 2.0)
        // into what this model takes for an int: format it as the float it most likely was.
        return this.fmtFloatVerb(Number(v), verb, arg);
      case 'U': {
        const prec = this.f.precPresent && this.f.prec > 4 ? this.f.prec : 4;
        let s = 'U+' + (v < 0n ? (v + (1n << 64n)).toString(16) : v.toString(16)).toUpperCase().padStart(prec, '0');
        const r = Number(v);
        if (this.f.sharp && v >= 0n && v <= 0x10ffffn && isPrint(r)) s += ` '${String.fromCodePoint(r)}'`;
        const oldZero = this.f.zero;
        this.f.zero = false;
        this.pad(s);
        this.f.zero = oldZero;
        return;
      }
      default:
        this.badVerb(verb, arg);
    }
  }

  fmtFloatVerb(v: number, verb: string, arg: unknown): void {
    switch (verb) {
      case 'v':
        return this.fmtFloat(v, 'g', -1);
      case 'b':
      case 'g':
      case 'G':
      case 'x':
      case 'X':
        return this.fmtFloat(v, verb, -1);
      case 'f':
      case 'e':
      case 'E':
        return this.fmtFloat(v, verb, 6);
      case 'F':
        return this.fmtFloat(v, 'f', 6);
      default:
        this.badVerb(verb, arg);
    }
  }

  fmtFloat(v: number, verb: string, prec: number): void {
    const f = this.f;
    if (f.precPresent) prec = f.prec;
    let num = formatFloat(v, verb, prec);
    num = num[0] === '-' || num[0] === '+' ? num : '+' + num;
    if (f.space && num[0] === '+' && !f.plus) num = ' ' + num.slice(1);
    if (num[1] === 'I' || num[1] === 'N') {
      const oldZero = f.zero;
      f.zero = false;
      if (num[1] === 'N' && !f.space && !f.plus) num = num.slice(1);
      this.pad(num);
      f.zero = oldZero;
      return;
    }
    if (f.sharp && verb !== 'b') {
      let digits = 0;
      if (verb === 'v' || verb === 'g' || verb === 'G' || verb === 'x') digits = prec === -1 ? 6 : prec;
      let tail = '';
      let body = num;
      let hasDecimalPoint = false;
      let sawNonzeroDigit = false;
      for (let i = 1; i < body.length; i++) {
        const c = body[i];
        if (c === '.') {
          hasDecimalPoint = true;
        } else if (c === 'p' || c === 'P' || ((c === 'e' || c === 'E') && verb !== 'x' && verb !== 'X')) {
          tail = body.slice(i);
          body = body.slice(0, i);
          break;
        } else {
          if (c !== '0') sawNonzeroDigit = true;
          if (sawNonzeroDigit) digits--;
        }
      }
      if (!hasDecimalPoint) {
        if (body.length === 2 && body[1] === '0') digits--;
        body += '.';
      }
      if (digits > 0) body += '0'.repeat(digits);
      num = body + tail;
    }
    if (f.plus || num[0] !== '+') {
      if (f.zero && f.widPresent && f.wid > num.length) {
        this.buf += num[0];
        this.writePadding(f.wid - num.length);
        this.buf += num.slice(1);
        return;
      }
      this.pad(num);
      return;
    }
    this.pad(num.slice(1));
  }

  fmtS(s: string): void {
    this.pad(this.truncate(s));
  }

  fmtQ(s: string): void {
    s = this.truncate(s);
    if (this.f.sharp && canBackquote(s)) {
      this.pad('`' + s + '`');
      return;
    }
    this.pad(quote(s, this.f.plus));
  }

  fmtSbx(bytes: Uint8Array, digits: string): void {
    const f = this.f;
    let length = bytes.length;
    if (f.precPresent && f.prec < length) length = f.prec;
    let width = 2 * length;
    if (width > 0) {
      if (f.space) {
        if (f.sharp) width *= 2;
        width += length - 1;
      } else if (f.sharp) {
        width += 2;
      }
    } else {
      if (f.widPresent) this.writePadding(f.wid);
      return;
    }
    if (f.widPresent && f.wid > width && !f.minus) this.writePadding(f.wid - width);
    let out = f.sharp ? '0' + digits[16] : '';
    for (let i = 0; i < length; i++) {
      if (f.space && i > 0) {
        out += ' ';
        if (f.sharp) out += '0' + digits[16];
      }
      out += digits[bytes[i] >> 4] + digits[bytes[i] & 0xf];
    }
    this.buf += out;
    if (f.widPresent && f.wid > width && f.minus) this.writePadding(f.wid - width);
  }

  fmtString(s: string, verb: string, arg: unknown): void {
    switch (verb) {
      case 'v':
        if (this.f.sharpV) this.fmtQ(s);
        else this.fmtS(s);
        return;
      case 's':
        return this.fmtS(s);
      case 'x':
        return this.fmtSbx(Buffer.from(s, 'utf8'), lowerDigits);
      case 'X':
        return this.fmtSbx(Buffer.from(s, 'utf8'), upperDigits);
      case 'q':
        return this.fmtQ(s);
      default:
        this.badVerb(verb, arg);
    }
  }

  fmtBytes(v: Uint8Array, verb: string, depth: number): void {
    switch (verb) {
      case 'v':
      case 'd':
        if (this.f.sharpV) {
          this.buf += '[]byte{' + [...v].map((b) => '0x' + b.toString(16)).join(', ') + '}';
          return;
        }
        this.buf += '[';
        v.forEach((b, i) => {
          if (i > 0) this.buf += ' ';
          this.fmtIntegerBase(BigInt(b), 10, verb, lowerDigits);
        });
        this.buf += ']';
        return;
      case 's':
        return this.fmtS(Buffer.from(v).toString('utf8'));
      case 'x':
        return this.fmtSbx(v, lowerDigits);
      case 'X':
        return this.fmtSbx(v, upperDigits);
      case 'q':
        return this.fmtQ(Buffer.from(v).toString('utf8'));
      default:
        this.buf += '[';
        v.forEach((b, i) => {
          if (i > 0) this.buf += ' ';
          this.printValue(b, verb, depth + 1);
        });
        this.buf += ']';
    }
  }

  badVerb(verb: string, arg: unknown): void {
    this.#erroring = true;
    this.buf += '%!' + verb + '(';
    if (isNilValue(arg)) {
      this.buf += '<nil>';
    } else {
      this.buf += typeName(arg) + '=';
      this.printArg(arg, 'v');
    }
    this.buf += ')';
    this.#erroring = false;
  }

  // ---- composite values --------------------------------------------------------------------

  /** Error and String methods, as fmt's handleMethods; true when one printed the value. */
  handleMethods(arg: unknown, verb: string): boolean {
    if (this.#erroring || this.f.sharpV) return false;
    if (!['v', 's', 'x', 'X', 'q'].includes(verb)) return false;
    for (const name of ['Error', 'String']) {
      const m = findMethod(arg, name);
      if (m === undefined || m.length !== 0) continue;
      let s: unknown;
      try {
        s = m.call(arg);
      } catch (err) {
        this.buf += `%!${verb}(PANIC=${name} method: ${err instanceof Error ? err.message : String(err)})`;
        return true;
      }
      this.fmtString(String(s), verb, arg);
      return true;
    }
    return false;
  }

  printArg(arg: unknown, verb: string): void {
    if (isNilValue(arg)) {
      if (verb === 'T' || verb === 'v') this.pad('<nil>');
      else this.badVerb(verb, arg);
      return;
    }
    if (verb === 'T') {
      this.fmtS(typeName(arg));
      return;
    }
    if (verb === 'p') {
      this.badVerb(verb, arg);
      return;
    }
    this.printValue(arg, verb, 0);
  }

  printValue(v: unknown, verb: string, depth: number): void {
    if (!isNilValue(v) && this.handleMethods(v, verb)) return;
    switch (kindOf(v)) {
      case 'invalid':
      case 'nil':
        if (this.f.sharpV) this.buf += 'interface {}(nil)';
        else this.buf += '<nil>';
        return;
      case 'bool':
        return this.fmtBool(v as boolean, verb, v);
      case 'int':
        return this.fmtInteger(toBigInt(v), verb, v);
      case 'float':
        return this.fmtFloatVerb(toNumber(v), verb, v);
      case 'string':
        return this.fmtString(v as string, verb, v);
      case 'func':
        if (verb === 'v') this.buf += v instanceof FuncValue || typeof v === 'function' ? '0x1' : '<nil>';
        else this.badVerb(verb, v);
        return;
      case 'slice':
        if (v instanceof Uint8Array) return this.fmtBytes(v, verb, depth);
        return this.printSlice(v as unknown[], verb, depth);
      case 'struct':
        return this.printStruct(v as object, verb, depth);
      case 'map':
        return this.printMap(v as object, verb, depth);
    }
  }

  printSlice(v: unknown[], verb: string, depth: number): void {
    if (this.f.sharpV) {
      this.buf += typeName(v) + '{';
      v.forEach((x, i) => {
        if (i > 0) this.buf += ', ';
        this.printValue(x, verb, depth + 1);
      });
      this.buf += '}';
      return;
    }
    this.buf += '[';
    v.forEach((x, i) => {
      if (i > 0) this.buf += ' ';
      this.printValue(x, verb, depth + 1);
    });
    this.buf += ']';
  }

  printMap(v: object, verb: string, depth: number): void {
    this.buf += this.f.sharpV ? typeName(v) + '{' : 'map[';
    sortedEntries(v).forEach(([k, x], i) => {
      if (i > 0) this.buf += this.f.sharpV ? ', ' : ' ';
      this.printValue(k, verb, depth + 1);
      this.buf += ':';
      this.printValue(x, verb, depth + 1);
    });
    this.buf += this.f.sharpV ? '}' : ']';
  }

  printStruct(v: object, verb: string, depth: number): void {
    const name = structName(v)!;
    // A pointer to a struct prints as &{…}; Go would print a nested one's address instead.
    if (name.startsWith('*') && !(depth === 0 && this.derefTop)) this.buf += '&';
    if (this.f.sharpV) this.buf += name.replace(/^\*/, '');
    this.buf += '{';
    ownEntries(v).forEach(([k, x], i) => {
      if (i > 0) this.buf += this.f.sharpV ? ', ' : ' ';
      if (this.f.plusV || this.f.sharpV) this.buf += k + ':';
      this.printValue(x ?? null, verb, depth + 1);
    });
    this.buf += '}';
  }
}

function validRune(v: bigint): number {
  if (v < 0n || v > 0x10ffffn) return 0xfffd;
  const r = Number(v);
  return r >= 0xd800 && r <= 0xdfff ? 0xfffd : r;
}

/** Go's fmt.Sprint: operands are separated by a space when neither side is a string. */
export function sprint(args: readonly unknown[]): string {
  const p = new Printer();
  let prevString = false;
  args.forEach((arg, i) => {
    const isString = typeof arg === 'string';
    if (i > 0 && !isString && !prevString) p.buf += ' ';
    p.printArg(arg, 'v');
    prevString = isString;
  });
  return p.buf;
}

/** Go's fmt.Sprintln: operands always separated by a space, and a trailing newline. */
export function sprintln(args: readonly unknown[]): string {
  const p = new Printer();
  args.forEach((arg, i) => {
    if (i > 0) p.buf += ' ';
    p.printArg(arg, 'v');
  });
  return p.buf + '\n';
}

/** How a template prints the value of an action: %v, with a pointer to a struct dereferenced. */
export function printableString(v: unknown): string {
  const p = new Printer();
  p.derefTop = true;
  p.printArg(v, 'v');
  return p.buf;
}

/** Go's %v of one value (fmt.Sprint(v)). */
export function formatValue(v: unknown): string {
  return sprint([v]);
}

function tooLarge(n: number): boolean {
  return n > 1e6 || n < -1e6;
}

function parseNum(s: string, start: number, end: number): { num: number; isNum: boolean; next: number } {
  if (start >= end) return { num: 0, isNum: false, next: end };
  let num = 0;
  let isNum = false;
  let i = start;
  for (; i < end && s[i] >= '0' && s[i] <= '9'; i++) {
    if (tooLarge(num)) return { num: 0, isNum: false, next: end };
    num = num * 10 + (s.charCodeAt(i) - 48);
    isNum = true;
  }
  return { num, isNum, next: i };
}

function intFromArg(args: readonly unknown[], argNum: number): { num: number; isInt: boolean; argNum: number } {
  if (argNum >= args.length) return { num: 0, isInt: false, argNum };
  const a = args[argNum];
  let num = 0;
  let isInt = false;
  if (kindOf(a) === 'int') {
    num = Number(a);
    isInt = true;
  }
  if (tooLarge(num)) {
    num = 0;
    isInt = false;
  }
  return { num, isInt, argNum: argNum + 1 };
}

/** Go's fmt.Sprintf. */
export function sprintf(format: string, args: readonly unknown[]): string {
  const p = new Printer();
  const end = format.length;
  let argNum = 0;
  let reordered = false;
  let goodArgNum: boolean;

  const argNumber = (i: number): { i: number; found: boolean } => {
    if (i >= end || format[i] !== '[') return { i, found: false };
    reordered = true;
    const close = format.indexOf(']', i + 1);
    if (format.length - i < 3 || close < 0) {
      goodArgNum = false;
      return { i: i + 1, found: false };
    }
    const n = parseNum(format, i + 1, close);
    if (!n.isNum || n.next !== close) {
      goodArgNum = false;
      return { i: close + 1, found: false };
    }
    const index = n.num - 1;
    if (index >= 0 && index < args.length) {
      argNum = index;
      return { i: close + 1, found: true };
    }
    goodArgNum = false;
    return { i: close + 1, found: true };
  };

  let i = 0;
  while (i < end) {
    goodArgNum = true;
    const lasti = i;
    while (i < end && format[i] !== '%') i++;
    if (i > lasti) p.buf += format.slice(lasti, i);
    if (i >= end) break;
    i++;
    p.f = clearFlags();
    const f = p.f;
    flags: for (; i < end; i++) {
      switch (format[i]) {
        case '#':
          f.sharp = true;
          break;
        case '0':
          f.zero = !f.minus;
          break;
        case '+':
          f.plus = true;
          break;
        case '-':
          f.minus = true;
          f.zero = false;
          break;
        case ' ':
          f.space = true;
          break;
        default:
          break flags;
      }
    }

    let r = argNumber(i);
    i = r.i;
    let afterIndex = r.found;

    if (i < end && format[i] === '*') {
      i++;
      const w = intFromArg(args, argNum);
      f.wid = w.num;
      f.widPresent = w.isInt;
      argNum = w.argNum;
      if (!f.widPresent) p.buf += '%!(BADWIDTH)';
      if (f.wid < 0) {
        f.wid = -f.wid;
        f.minus = true;
        f.zero = false;
      }
      afterIndex = false;
    } else {
      const n = parseNum(format, i, end);
      f.wid = n.num;
      f.widPresent = n.isNum;
      i = n.next;
      if (afterIndex && f.widPresent) goodArgNum = false;
    }

    if (i + 1 < end && format[i] === '.') {
      i++;
      if (afterIndex) goodArgNum = false;
      r = argNumber(i);
      i = r.i;
      afterIndex = r.found;
      if (i < end && format[i] === '*') {
        i++;
        const w = intFromArg(args, argNum);
        f.prec = w.num;
        f.precPresent = w.isInt;
        argNum = w.argNum;
        if (f.prec < 0) {
          f.prec = 0;
          f.precPresent = false;
        }
        if (!w.isInt) p.buf += '%!(BADPREC)';
        afterIndex = false;
      } else {
        const n = parseNum(format, i, end);
        f.prec = n.num;
        f.precPresent = true;
        i = n.next;
      }
    }

    if (!afterIndex) i = argNumber(i).i;

    if (i >= end) {
      p.buf += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;

    if (verb === '%') {
      p.buf += '%';
    } else if (!goodArgNum) {
      p.buf += `%!${verb}(BADINDEX)`;
    } else if (argNum >= args.length) {
      p.buf += `%!${verb}(MISSING)`;
    } else {
      if (verb === 'v') {
        f.sharpV = f.sharp;
        f.sharp = false;
        f.plusV = f.plus;
        f.plus = false;
      }
      p.printArg(args[argNum], verb);
      argNum++;
    }
  }

  if (!reordered && argNum < args.length) {
    p.f = clearFlags();
    p.buf += '%!(EXTRA ';
    args.slice(argNum).forEach((arg, j) => {
      if (j > 0) p.buf += ', ';
      if (isNilValue(arg)) {
        p.buf += '<nil>';
      } else {
        p.buf += typeName(arg) + '=';
        p.printArg(arg, 'v');
      }
    });
    p.buf += ')';
  }
  return p.buf;
}
