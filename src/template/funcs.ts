// Go's built-in template functions and docker's additions (json, split, join, title, lower,
// upper, pad, truncate).
import { TemplateError } from './lexer.ts';
import { sprint, sprintf, sprintln } from './fmt.ts';
import { MISSING, formatValue, goType, isMap, isTrue, structName } from './values.ts';

/** A function gets its evaluated arguments; and/or get thunks so they can short-circuit. */
export type TemplateFunc = ((...args: unknown[]) => unknown) & { lazy?: boolean };

function lazy(fn: (...thunks: Array<() => unknown>) => unknown): TemplateFunc {
  const f = fn as TemplateFunc;
  f.lazy = true;
  return f;
}

function basicKind(v: unknown): 'bool' | 'int' | 'float' | 'string' | 'nil' | 'other' {
  if (v === null || v === undefined || v === MISSING) return 'nil';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'string') return 'string';
  return 'other';
}

function eqOne(a: unknown, b: unknown): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka === 'other' || kb === 'other') {
    if (ka === 'nil' || kb === 'nil') return a === b || (ka === 'nil' && kb === 'nil');
    throw new TemplateError('error calling eq: non-comparable type');
  }
  const num = (k: string) => k === 'int' || k === 'float';
  if (ka !== kb && !(num(ka) && num(kb)) && ka !== 'nil' && kb !== 'nil') throw new TemplateError('error calling eq: incompatible types for comparison');
  if (ka === 'nil' || kb === 'nil') return ka === kb;
  return a === b || (typeof a === 'bigint' || typeof b === 'bigint' ? BigInt(a as number) === BigInt(b as number) : false);
}

function compare(name: string, a: unknown, b: unknown): number {
  const ka = basicKind(a);
  const kb = basicKind(b);
  const num = (k: string) => k === 'int' || k === 'float';
  if (ka === 'string' && kb === 'string') return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
  if (num(ka) && num(kb)) return Number(a) - Number(b);
  if (ka === 'other' || kb === 'other' || ka === 'bool' || kb === 'bool' || ka === 'nil' || kb === 'nil') {
    throw new TemplateError(`error calling ${name}: invalid type for comparison`);
  }
  throw new TemplateError(`error calling ${name}: incompatible types for comparison`);
}

function length(v: unknown): number {
  if (typeof v === 'string') return Buffer.byteLength(v);
  if (Array.isArray(v)) return v.length;
  if (isMap(v)) return Object.keys(v).length;
  throw new TemplateError(`error calling len: len of type ${goType(v)}`);
}

function toInt(v: unknown, what: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  throw new TemplateError(`error calling ${what}: cannot index slice/array with type ${goType(v)}`);
}

function index(item: unknown, ...indexes: unknown[]): unknown {
  let v = item;
  for (const ix of indexes) {
    if (v === null || v === undefined || v === MISSING) throw new TemplateError('error calling index: index of untyped nil');
    if (Array.isArray(v) || typeof v === 'string') {
      const i = toInt(ix, 'index');
      const len = typeof v === 'string' ? Buffer.byteLength(v) : v.length;
      if (i < 0 || i >= len) throw new TemplateError(`error calling index: index out of range: ${i}`);
      v = typeof v === 'string' ? Buffer.from(v)[i] : v[i];
    } else if (isMap(v)) {
      v = Object.prototype.hasOwnProperty.call(v, String(ix)) ? v[String(ix)] : MISSING;
    } else throw new TemplateError(`error calling index: can't index item of type ${goType(v)}`);
  }
  return v;
}

function slice(item: unknown, ...idx: unknown[]): unknown {
  if (typeof item !== 'string' && !Array.isArray(item)) throw new TemplateError(`error calling slice: can't slice item of type ${goType(item)}`);
  const len = typeof item === 'string' ? item.length : item.length;
  const [i = 0, j = len] = idx.map((x) => toInt(x, 'slice'));
  if (i < 0 || j < i || j > len) throw new TemplateError(`error calling slice: index out of range: ${j}`);
  return item.slice(i, j);
}

function jsEscape(s: string): string {
  return s.replace(/[\\'"<>&=\n\r\t]|[^\x20-\x7e]/g, (c) => {
    const simple: Record<string, string> = { '\\': '\\\\', "'": "\\'", '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    return simple[c] ?? `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  });
}

function htmlEscape(s: string): string {
  return s.replace(/[<>&'"\0]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&#39;', '"': '&#34;', '\0': '\uFFFD' })[c]!);
}

const str = (v: unknown) => (typeof v === 'string' ? v : formatValue(v));

/** JSON as Go's encoding/json with HTML escaping off (docker's `json` function). */
export function goJson(v: unknown): string {
  return JSON.stringify(toJsonValue(v)) ?? 'null';
}

function toJsonValue(v: unknown): unknown {
  if (v === MISSING || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v).filter(([, x]) => typeof x !== 'function');
    // Go sorts map keys; structs keep their field order.
    if (structName(v) === undefined) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, x]) => [k, toJsonValue(x)]));
  }
  return v;
}

export const builtins: Record<string, TemplateFunc> = {
  and: lazy((...args) => {
    let v: unknown;
    for (const a of args) {
      v = a();
      if (!isTrue(v)) return v;
    }
    return v;
  }),
  or: lazy((...args) => {
    let v: unknown;
    for (const a of args) {
      v = a();
      if (isTrue(v)) return v;
    }
    return v;
  }),
  not: (v) => !isTrue(v),
  len: (v) => length(v),
  index: (item, ...ix) => index(item, ...ix),
  slice: (item, ...ix) => slice(item, ...ix),
  print: (...args) => sprint(args),
  printf: (format, ...args) => sprintf(str(format), args),
  println: (...args) => sprintln(args),
  eq: (a, ...rest) => {
    if (rest.length === 0) throw new TemplateError('error calling eq: missing argument for comparison');
    return rest.some((b) => eqOne(a, b));
  },
  ne: (a, b) => !eqOne(a, b),
  lt: (a, b) => compare('lt', a, b) < 0,
  le: (a, b) => compare('le', a, b) <= 0,
  gt: (a, b) => compare('gt', a, b) > 0,
  ge: (a, b) => compare('ge', a, b) >= 0,
  html: (...args) => htmlEscape(sprint(args)),
  js: (...args) => jsEscape(sprint(args)),
  urlquery: (...args) => encodeURIComponent(sprint(args)).replace(/%20/g, '+'),
  call: (fn, ...args) => {
    if (typeof fn !== 'function') throw new TemplateError(`error calling call: non-function of type ${goType(fn)}`);
    return (fn as (...a: unknown[]) => unknown)(...args);
  },
};

const title = (s: string) => s.replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_, pre: string, ch: string) => pre + ch.toUpperCase());

export const dockerFuncs: Record<string, TemplateFunc> = {
  json: (v) => goJson(v),
  split: (s, sep) => str(s).split(str(sep)),
  join: (list, sep) => {
    if (!Array.isArray(list)) throw new TemplateError(`error calling join: wrong type for value; expected []string; got ${goType(list)}`);
    return list.map(str).join(str(sep));
  },
  title: (s) => title(str(s)),
  lower: (s) => str(s).toLowerCase(),
  upper: (s) => str(s).toUpperCase(),
  pad: (s, prefix, suffix) => ' '.repeat(Number(prefix)) + str(s) + ' '.repeat(Number(suffix)),
  truncate: (s, max) => {
    const r = [...str(s)];
    return r.length > Number(max) ? r.slice(0, Number(max)).join('') : str(s);
  },
};

/** docker's replacements for table headers, so a header stays the column name. */
export const headerFuncs: Record<string, TemplateFunc> = {
  json: (v) => v,
  split: (v) => v,
  join: (v) => v,
  title: (v) => v,
  lower: (v) => v,
  upper: (v) => v,
  truncate: (v) => v,
};
