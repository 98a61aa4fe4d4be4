// Go's built-in template functions (text/template/funcs.go) and docker's additions (the docker/cli
// templates package), with their Go signatures so argument errors read as Go's.
import { toSpec, type FuncSpec } from './func-spec.ts';
import { sprint, sprintf, sprintln, formatValue } from './fmt.ts';
import { goJson } from './json.ts';
import { isPrint } from '../lib/index.ts';
import {
  FuncValue,
  MISSING,
  compareStrings,
  elemType,
  isTrue,
  kindOf,
  mapGet,
  mapKeyType,
  mapSize,
  ownEntries,
  toBigInt,
  toNumber,
  typeName,
  zeroValue,
} from './values.ts';

type BasicKind = 'bool' | 'int' | 'float' | 'string' | 'invalid';

function basicKind(v: unknown): BasicKind {
  const k = kindOf(v);
  return k === 'bool' || k === 'int' || k === 'float' || k === 'string' ? k : 'invalid';
}

function isValid(v: unknown): boolean {
  return v !== MISSING && v !== null && v !== undefined;
}

const errBadComparisonType = 'invalid type for comparison';
const errBadComparison = 'incompatible types for comparison';
const errNoComparison = 'missing argument for comparison';

function isNumeric(k: BasicKind): boolean {
  return k === 'int' || k === 'float';
}

function numbersEqual(a: unknown, b: unknown): boolean {
  if (kindOf(a) === 'int' && kindOf(b) === 'int') return toBigInt(a) === toBigInt(b);
  return toNumber(a) === toNumber(b);
}

function numberLess(a: unknown, b: unknown): boolean {
  if (kindOf(a) === 'int' && kindOf(b) === 'int') return toBigInt(a) < toBigInt(b);
  return toNumber(a) < toNumber(b);
}

function comparable(v: unknown): boolean {
  const k = kindOf(v);
  if (k === 'slice' || k === 'map' || k === 'func') return false;
  if (k === 'struct') return ownEntries(v as object).every(([, x]) => x === null || comparable(x));
  return true;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (kindOf(a) === 'struct' && kindOf(b) === 'struct' && typeName(a) === typeName(b)) {
    const ea = ownEntries(a as object);
    const eb = new Map(ownEntries(b as object));
    return ea.length === eb.size && ea.every(([k, x]) => eb.has(k) && sameValue(x, eb.get(k)));
  }
  if (basicKind(a) !== 'invalid' && basicKind(a) === basicKind(b)) return isNumeric(basicKind(a)) ? numbersEqual(a, b) : a === b;
  return false;
}

/** Go's eq: arg1 == arg2 || arg1 == arg3 …; ints and floats compare by value (JSON loses the type). */
function eq(arg1: unknown, ...arg2: unknown[]): boolean {
  if (arg2.length === 0) throw new Error(errNoComparison);
  const k1 = basicKind(arg1);
  for (const arg of arg2) {
    const k2 = basicKind(arg);
    let truth = false;
    if (k1 !== k2) {
      if (isNumeric(k1) && isNumeric(k2)) truth = numbersEqual(arg1, arg);
      else if (isValid(arg1) && isValid(arg)) throw new Error(errBadComparison);
    } else {
      switch (k1) {
        case 'bool':
        case 'string':
          truth = arg1 === arg;
          break;
        case 'int':
        case 'float':
          truth = numbersEqual(arg1, arg);
          break;
        default: {
          const ka = isValid(arg1) ? kindOf(arg1) : 'invalid';
          const kb = isValid(arg) ? kindOf(arg) : 'invalid';
          if (ka !== kb && ka !== 'invalid' && kb !== 'invalid') {
            throw new Error(`non-comparable types ${formatValue(arg1)}: ${typeName(arg1)}, ${typeName(arg)}: ${formatValue(arg)}`);
          }
          if (!isValid(arg1) || !isValid(arg)) {
            truth = !isValid(arg1) && !isValid(arg);
          } else {
            if (!comparable(arg)) throw new Error(`non-comparable type ${formatValue(arg)}: ${typeName(arg)}`);
            truth = sameValue(arg1, arg);
          }
        }
      }
    }
    if (truth) return true;
  }
  return false;
}

function lt(arg1: unknown, arg2: unknown): boolean {
  const k1 = basicKind(arg1);
  if (k1 === 'invalid') throw new Error(errBadComparisonType);
  const k2 = basicKind(arg2);
  if (k2 === 'invalid') throw new Error(errBadComparisonType);
  if (k1 !== k2) {
    if (isNumeric(k1) && isNumeric(k2)) return numberLess(arg1, arg2);
    throw new Error(errBadComparison);
  }
  switch (k1) {
    case 'bool':
      throw new Error(errBadComparisonType);
    case 'string':
      return compareStrings(arg1 as string, arg2 as string) < 0;
    default:
      return numberLess(arg1, arg2);
  }
}

function le(arg1: unknown, arg2: unknown): boolean {
  return lt(arg1, arg2) || eq(arg1, arg2);
}

function length(item: unknown): number {
  switch (kindOf(item)) {
    case 'invalid':
      throw new Error('reflect: call of reflect.Value.Type on zero Value');
    case 'nil':
      return 0; // JSON's null is most often a nil slice or map
    case 'string':
      return Buffer.byteLength(item as string);
    case 'slice':
      return (item as unknown[]).length;
    case 'map':
      return mapSize(item as object);
    default:
      throw new Error(`len of type ${typeName(item)}`);
  }
}

function indexArg(index: unknown, cap: number): number {
  let x: bigint;
  switch (kindOf(index)) {
    case 'int':
      x = toBigInt(index);
      break;
    case 'invalid':
    case 'nil':
      throw new Error('cannot index slice/array with nil');
    default:
      throw new Error(`cannot index slice/array with type ${typeName(index)}`);
  }
  if (x < 0n || x > BigInt(cap)) throw new Error(`index out of range: ${x}`);
  return Number(x);
}

function mapKey(index: unknown, keyType: string): unknown {
  if (!isValid(index)) throw new Error(`value is nil; should be of type ${keyType}`);
  const t = typeName(index);
  if (t !== keyType) throw new Error(`value has type ${t}; should be ${keyType}`);
  return index;
}

/**
 * The value `index` gives for a key a map lacks: the zero value of the map's element type. JSON
 * loses the type of an empty or null map; docker's are nearly all map[string]string (labels,
 * options), so those give "" as docker prints.
 */
function missingEntry(m: object | null): unknown {
  if (m === null || mapSize(m) === 0) return '';
  return zeroValue(elemType(typeName(m)));
}

function index(item: unknown, ...indexes: unknown[]): unknown {
  if (item === MISSING) throw new Error('index of untyped nil');
  for (const idx of indexes) {
    const k = kindOf(item);
    if (k === 'invalid') throw new Error('index of nil pointer');
    if (k === 'nil') {
      // JSON's null for a nil map: looking a key up gives the zero value; anything else fails.
      if (kindOf(idx) !== 'string') throw new Error('index of nil pointer');
      item = missingEntry(null);
      continue;
    }
    switch (kindOf(item)) {
      case 'string': {
        const bytes = Buffer.from(item as string, 'utf8');
        const x = indexArg(idx, bytes.length);
        if (x === bytes.length) throw new Error('reflect: string index out of range');
        item = bytes[x];
        break;
      }
      case 'slice': {
        const arr = item as ArrayLike<unknown>;
        const x = indexArg(idx, arr.length);
        if (x === arr.length) throw new Error('reflect: slice index out of range');
        item = arr[x] ?? null;
        break;
      }
      case 'map': {
        const v = mapGet(item as object, mapKey(idx, mapKeyType(item as object)));
        item = v === MISSING ? missingEntry(item as object) : v;
        break;
      }
      default:
        throw new Error(`can't index item of type ${typeName(item)}`);
    }
  }
  return item;
}

function slice(item: unknown, ...indexes: unknown[]): unknown {
  if (!isValid(item)) throw new Error('slice of untyped nil');
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
  let len: number;
  let bytes: Buffer | undefined;
  switch (kindOf(item)) {
    case 'string':
      if (indexes.length === 3) throw new Error('cannot 3-index slice a string');
      bytes = Buffer.from(item as string, 'utf8');
      len = bytes.length;
      break;
    case 'slice':
      len = (item as ArrayLike<unknown>).length;
      break;
    default:
      throw new Error(`can't slice item of type ${typeName(item)}`);
  }
  const idx = [0, len, len];
  indexes.forEach((x, i) => {
    idx[i] = indexArg(x, len);
  });
  if (idx[0] > idx[1]) throw new Error(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  if (indexes.length === 3 && idx[1] > idx[2]) throw new Error(`invalid slice index: ${idx[1]} > ${idx[2]}`);
  if (bytes !== undefined) return bytes.subarray(idx[0], idx[1]).toString('utf8');
  if (item instanceof Uint8Array) return item.slice(idx[0], idx[1]);
  return (item as unknown[]).slice(idx[0], idx[1]);
}

function call(name: string, fn: unknown, ...args: unknown[]): unknown {
  if (!isValid(fn)) throw new Error('call of nil');
  let target: FuncSpec;
  if (fn instanceof FuncValue) target = toSpec(fn.fn);
  else if (typeof fn === 'function') target = toSpec(fn as (...a: unknown[]) => unknown);
  else throw new Error(`non-function ${name} of type ${typeName(fn)}`);
  const numIn = target.params.length;
  if (target.variadic !== undefined) {
    if (args.length < numIn) throw new Error(`wrong number of args for ${name}: got ${args.length} want at least ${numIn}`);
  } else if (args.length !== numIn) {
    throw new Error(`wrong number of args for ${name}: got ${args.length} want ${numIn}`);
  }
  const argv = args.map((a, i) => {
    const t = i < numIn ? target.params[i] : target.variadic!;
    if (t === 'value') return a;
    if (!isValid(a)) {
      if (t === 'any' || t === '[]string') return null;
      throw new Error(`arg ${i}: value is nil; should be of type ${t}`);
    }
    if (t !== 'any' && typeName(a) !== t) throw new Error(`arg ${i}: value has type ${typeName(a)}; should be ${t}`);
    return a;
  });
  return target.call(...argv);
}

/** Go's evalArgs: a lone string as is, anything else through fmt.Sprint. */
function evalArgs(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args);
}

function htmlEscape(s: string): string {
  return s.replace(/[\0"'&<>]/g, (c) => ({ '\0': '\uFFFD', '"': '&#34;', "'": '&#39;', '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);
}

function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    switch (ch) {
      case '\\':
        out += '\\\\';
        continue;
      case "'":
        out += "\\'";
        continue;
      case '"':
        out += '\\"';
        continue;
      case '<':
        out += '\\u003C';
        continue;
      case '>':
        out += '\\u003E';
        continue;
      case '&':
        out += '\\u0026';
        continue;
      case '=':
        out += '\\u003D';
        continue;
    }
    if (cp < 0x20) out += '\\u00' + cp.toString(16).toUpperCase().padStart(2, '0');
    else if (cp < 0x80 || isPrint(cp)) out += ch;
    else out += '\\u' + cp.toString(16).toUpperCase().padStart(4, '0');
  }
  return out;
}

function queryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** The built-in functions of every template; functions added to a template take precedence. */
export const builtins: ReadonlyMap<string, FuncSpec> = new Map<string, FuncSpec>([
  // and/or short-circuit inside the executor; these bodies serve only callers outside it.
  ['and', { params: ['value'], variadic: 'value', call: (...a: unknown[]) => a.find((x) => !isTrue(x)) ?? a[a.length - 1] }],
  ['or', { params: ['value'], variadic: 'value', call: (...a: unknown[]) => a.find((x) => isTrue(x)) ?? a[a.length - 1] }],
  ['call', { params: ['value'], variadic: 'value', call }],
  ['html', { params: [], variadic: 'any', call: (...a: unknown[]) => htmlEscape(evalArgs(a)) }],
  ['index', { params: ['value'], variadic: 'value', call: index }],
  ['slice', { params: ['value'], variadic: 'value', call: slice }],
  ['js', { params: [], variadic: 'any', call: (...a: unknown[]) => jsEscape(evalArgs(a)) }],
  ['len', { params: ['value'], call: length }],
  ['not', { params: ['value'], call: (v: unknown) => !isTrue(v) }],
  ['print', { params: [], variadic: 'any', call: (...a: unknown[]) => sprint(a) }],
  ['printf', { params: ['string'], variadic: 'any', call: (f: string, ...a: unknown[]) => sprintf(f, a) }],
  ['println', { params: [], variadic: 'any', call: (...a: unknown[]) => sprintln(a) }],
  ['urlquery', { params: [], variadic: 'any', call: (...a: unknown[]) => queryEscape(evalArgs(a)) }],
  ['eq', { params: ['value'], variadic: 'value', call: eq }],
  ['ge', { params: ['value', 'value'], call: (a: unknown, b: unknown) => !lt(a, b) }],
  ['gt', { params: ['value', 'value'], call: (a: unknown, b: unknown) => !le(a, b) }],
  ['le', { params: ['value', 'value'], call: le }],
  ['lt', { params: ['value', 'value'], call: lt }],
  ['ne', { params: ['value', 'value'], call: (a: unknown, b: unknown) => !eq(a, b) }],
]);

// ---- docker's functions ---------------------------------------------------------------------

/** Go's unicode.ToUpper / ToLower: one rune to one rune, unlike JavaScript's "ß" → "SS". */
function mapRunes(s: string, conv: (ch: string) => string): string {
  let out = '';
  for (const ch of s) {
    const c = conv(ch);
    out += [...c].length === 1 ? c : ch;
  }
  return out;
}

function isSeparator(ch: string): boolean {
  const cp = ch.codePointAt(0)!;
  if (cp < 0x80) return !/[0-9A-Za-z_]/.test(ch);
  if (/[\p{L}\p{Nd}]/u.test(ch)) return false;
  return /\s/u.test(ch);
}

/** Go's strings.Title: upper-cases the first letter of each word. */
function title(s: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of s) {
    out += isSeparator(prev) ? mapRunes(ch, (c) => c.toUpperCase()) : ch;
    prev = ch;
  }
  return out;
}

/** Go's strings.Split. */
function split(s: string, sep: string): string[] {
  if (sep === '') return [...s];
  return s.split(sep);
}

/** docker's join: a slice's elements through fmt.Sprint, joined. */
function join(elems: unknown, sep: string): string {
  if (!isValid(elems)) return '';
  const items = elems instanceof Uint8Array ? [...elems] : (elems as unknown[]);
  return items.map((x) => (typeof x === 'string' ? x : formatValue(x ?? null))).join(sep);
}

/** docker's pad: spaces before and after a non-empty string. */
function pad(source: string, prefix: number | bigint, suffix: number | bigint): string {
  if (source === '') return source;
  if (prefix < 0 || suffix < 0) throw new Error('strings: negative Repeat count');
  return ' '.repeat(Number(prefix)) + source + ' '.repeat(Number(suffix));
}

/** docker's truncate: the first `length` bytes of the string. */
function truncate(source: string, length: number | bigint): string {
  const bytes = Buffer.from(source, 'utf8');
  if (bytes.length < length) return source;
  if (length < 0) throw new Error(`runtime error: slice bounds out of range [:${length}]`);
  return bytes.subarray(0, Number(length)).toString('utf8');
}

/** The functions docker adds to every template (docker/cli templates.basicFunctions). */
export const dockerFuncs: ReadonlyMap<string, FuncSpec> = new Map<string, FuncSpec>([
  ['json', { params: ['any'], call: goJson }],
  ['split', { params: ['string', 'string'], call: split }],
  ['join', { params: ['[]string', 'string'], call: join }],
  ['title', { params: ['string'], call: title }],
  ['lower', { params: ['string'], call: (s: string) => mapRunes(s, (c) => c.toLowerCase()) }],
  ['upper', { params: ['string'], call: (s: string) => mapRunes(s, (c) => c.toUpperCase()) }],
  ['pad', { params: ['string', 'int', 'int'], call: pad }],
  ['truncate', { params: ['string', 'int'], call: truncate }],
]);

const same = (v: string) => v;

/** docker's replacements while rendering a table header, so "{{upper .Name}}" keeps "NAME". */
export const headerFuncs: ReadonlyMap<string, FuncSpec> = new Map<string, FuncSpec>([
  ['json', { params: ['string'], call: same }],
  ['split', { params: ['string', 'string'], call: same }],
  ['join', { params: ['string', 'string'], call: same }],
  ['title', { params: ['string'], call: same }],
  ['lower', { params: ['string'], call: same }],
  ['upper', { params: ['string'], call: same }],
  ['truncate', { params: ['string', 'int'], call: same }],
]);
