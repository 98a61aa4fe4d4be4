// Go's fmt.Sprintf, Sprint and Sprintln over modelled Go values.
import { goQuote } from '../lib/index.ts';
import { MISSING, formatFloat, formatValue, goType } from './values.ts';

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width?: number;
  prec?: number;
}

function pad(s: string, f: Spec, numeric = false): string {
  if (f.width === undefined || [...s].length >= f.width) return s;
  const n = f.width - [...s].length;
  if (f.minus) return s + ' '.repeat(n);
  if (f.zero && numeric) {
    const sign = /^[+-]/.test(s) ? s[0] : '';
    return sign + '0'.repeat(n) + s.slice(sign.length);
  }
  return ' '.repeat(n) + s;
}

const bad = (verb: string, v: unknown) => `%!${verb}(${goType(v)}=${formatValue(v)})`;

function fmtInt(n: number | bigint, base: number, f: Spec, upper = false): string {
  const neg = n < 0;
  let digits = (neg ? -BigInt(n) : BigInt(n)).toString(base);
  if (upper) digits = digits.toUpperCase();
  if (f.prec !== undefined) digits = digits.padStart(f.prec, '0');
  let prefix = '';
  if (f.sharp) prefix = base === 16 ? (upper ? '0X' : '0x') : base === 8 ? '0' : base === 2 ? '0b' : '';
  const sign = neg ? '-' : f.plus ? '+' : f.space ? ' ' : '';
  return pad(sign + prefix + digits, f, f.prec === undefined);
}

function formatOne(verb: string, v: unknown, f: Spec): string {
  switch (verb) {
    case 'v':
      if (f.sharp && typeof v === 'string') return pad(goQuote(v), f);
      return pad(formatValue(v), f);
    case 's':
      if (typeof v === 'string' || v === MISSING || typeof v !== 'number') {
        const s = formatValue(v);
        return pad(f.prec !== undefined ? [...s].slice(0, f.prec).join('') : s, f);
      }
      return bad(verb, v);
    case 'q':
      if (typeof v === 'string') return pad(goQuote(v), f);
      if (typeof v === 'number' && Number.isInteger(v)) return pad(`'${String.fromCodePoint(v)}'`, f);
      return bad(verb, v);
    case 'd':
      if ((typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint') return fmtInt(v, 10, f);
      return bad(verb, v);
    case 'b':
    case 'o':
    case 'O':
      if ((typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint') return (verb === 'O' ? '0o' : '') + fmtInt(v, verb === 'b' ? 2 : 8, f);
      return bad(verb, v);
    case 'x':
    case 'X':
      if ((typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint') return fmtInt(v, 16, f, verb === 'X');
      if (typeof v === 'string') {
        let hex = Buffer.from(v).toString('hex');
        if (verb === 'X') hex = hex.toUpperCase();
        return pad(hex, f);
      }
      return bad(verb, v);
    case 'c':
      if (typeof v === 'number' && Number.isInteger(v)) return pad(String.fromCodePoint(v), f);
      return bad(verb, v);
    case 'U':
      if (typeof v === 'number' && Number.isInteger(v)) return pad(`U+${v.toString(16).toUpperCase().padStart(4, '0')}`, f);
      return bad(verb, v);
    case 't':
      if (typeof v === 'boolean') return pad(String(v), f);
      return bad(verb, v);
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G': {
      if (typeof v !== 'number') return bad(verb, v);
      let s: string;
      const prec = f.prec;
      if (verb === 'f' || verb === 'F') s = v.toFixed(prec ?? 6);
      else if (verb === 'e' || verb === 'E') {
        const [m, e] = v.toExponential(prec ?? 6).split('e');
        const n = Number(e);
        s = `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
      } else if (prec === undefined) s = formatFloat(v);
      else {
        const p = prec === 0 ? 1 : prec;
        const exp = Math.floor(Math.log10(Math.abs(v || 1)));
        if (exp < -4 || exp >= p) {
          const [m, e] = v.toExponential(p - 1).split('e');
          const n = Number(e);
          s = `${f.sharp ? m : m.replace(/\.?0+$/, '')}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
        } else {
          s = v.toPrecision(p);
          if (!f.sharp && s.includes('.')) s = s.replace(/\.?0+$/, '');
        }
      }
      if (verb === 'E' || verb === 'G') s = s.toUpperCase();
      if (v >= 0 && f.plus) s = '+' + s;
      else if (v >= 0 && f.space) s = ' ' + s;
      return pad(s, f, true);
    }
    case 'T':
      return pad(goType(v), f);
    default:
      return `%!${verb}(${goType(v)}=${formatValue(v)})`;
  }
}

export function sprintf(format: string, args: readonly unknown[]): string {
  let out = '';
  let argi = 0;
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c !== '%') {
      out += c;
      continue;
    }
    const f: Spec = { minus: false, plus: false, sharp: false, space: false, zero: false };
    i++;
    for (; i < format.length; i++) {
      const ch = format[i];
      if (ch === '-') f.minus = true;
      else if (ch === '+') f.plus = true;
      else if (ch === '#') f.sharp = true;
      else if (ch === ' ') f.space = true;
      else if (ch === '0') f.zero = true;
      else break;
    }
    let num = '';
    while (/[0-9]/.test(format[i] ?? '')) num += format[i++];
    if (num) f.width = Number(num);
    if (format[i] === '.') {
      i++;
      let p = '';
      while (/[0-9]/.test(format[i] ?? '')) p += format[i++];
      f.prec = p ? Number(p) : 0;
    }
    const verb = format[i];
    if (verb === undefined) {
      out += '%!(NOVERB)';
      break;
    }
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatOne(verb, args[argi++], f);
  }
  if (argi < args.length) {
    out += `%!(EXTRA ${args
      .slice(argi)
      .map((a) => `${goType(a)}=${formatValue(a)}`)
      .join(', ')})`;
  }
  return out;
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: readonly unknown[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(a);
  });
  return out;
}

/** fmt.Sprintln: always spaces, and a newline. */
export function sprintln(args: readonly unknown[]): string {
  return args.map(formatValue).join(' ') + '\n';
}
