// How Go values are modelled over plain JavaScript data.
//
// Go's templates behave differently for maps and structs, and print ints and floats differently,
// so the executor needs a Go type for every JavaScript value:
// - a plain object (or a Map) is a Go map: a missing key renders "<no value>";
// - an object marked with asStruct() is a Go struct: an unknown field is an error;
// - a property whose value is a function and whose name is exported (upper case) is a Go method,
//   on maps and structs alike; it is never a field or a map entry;
// - a JavaScript integer is an int, any other number a float64; Float64 marks a float64 whose
//   value happens to be whole (the template literal 1.0, or data known to be a float);
// - null and undefined are Go's nil (JSON's null, which was a nil slice, map or pointer in Go):
//   it prints "<nil>", is false, has length 0, and a field of it is a "nil pointer" error;
// - MISSING is Go's invalid value, what a missing map key gives: it prints "<no value>".

/** Go's invalid reflect.Value: what a missing map key evaluates to. Prints "<no value>". */
export const MISSING: unique symbol = Symbol('no value');
export type Missing = typeof MISSING;

/** A float64 (printed with Go's %v rules for floats even when the value is whole). */
export class Float64 {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
}

/** A Go function value (not a method): reachable as a field and callable with `call`. */
export class FuncValue {
  readonly fn: (...args: never[]) => unknown;
  readonly typeName: string;
  constructor(fn: (...args: never[]) => unknown, typeName = 'func()') {
    this.fn = fn;
    this.typeName = typeName;
  }
}

const structType = Symbol('go struct type');
const declaredType = Symbol('go type');

/** Marks `obj` as a Go struct named `typeName` (e.g. "*formatter.ContainerContext"). */
export function asStruct<T extends object>(obj: T, typeName: string): T {
  Object.defineProperty(obj, structType, { value: typeName, enumerable: false, configurable: true });
  return obj;
}

/**
 * Declares the Go type of a map or slice (e.g. "map[string]string", "[]string") where inference
 * from its elements would guess wrong; it decides %T and the zero value `index` gives for a
 * missing map key ("" for map[string]string, "<no value>" for map[string]interface {}).
 */
export function withGoType<T extends object>(obj: T, typeName: string): T {
  Object.defineProperty(obj, declaredType, { value: typeName, enumerable: false, configurable: true });
  return obj;
}

export function float64(value: number): Float64 {
  return new Float64(value);
}

export function funcValue(fn: (...args: never[]) => unknown, typeName?: string): FuncValue {
  return new FuncValue(fn, typeName);
}

export type Kind = 'invalid' | 'nil' | 'bool' | 'int' | 'float' | 'string' | 'slice' | 'map' | 'struct' | 'func';

export function structName(v: unknown): string | undefined {
  return typeof v === 'object' && v !== null ? (v as { [structType]?: string })[structType] : undefined;
}

export function kindOf(v: unknown): Kind {
  if (v === MISSING) return 'invalid';
  if (v === null || v === undefined) return 'nil';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(v) ? 'int' : 'float';
    case 'bigint':
      return 'int';
    case 'string':
      return 'string';
    case 'function':
      return 'func';
    case 'object':
      break;
    default:
      return 'nil';
  }
  if (v instanceof Float64) return 'float';
  if (v instanceof FuncValue) return 'func';
  if (Array.isArray(v) || v instanceof Uint8Array) return 'slice';
  if (structName(v) !== undefined) return 'struct';
  return 'map';
}

export function isNumber(v: unknown): v is number | bigint | Float64 {
  const k = kindOf(v);
  return k === 'int' || k === 'float';
}

export function toNumber(v: unknown): number {
  if (v instanceof Float64) return v.value;
  return Number(v as number | bigint);
}

/** The integer value of an int, as a bigint (Go's int64). */
export function toBigInt(v: unknown): bigint {
  return typeof v === 'bigint' ? v : BigInt(v as number);
}

/** An exported Go identifier starts with an upper-case letter. */
export function isExported(name: string): boolean {
  const c = name.codePointAt(0);
  if (c === undefined) return false;
  const ch = String.fromCodePoint(c);
  return ch === ch.toUpperCase() && ch !== ch.toLowerCase();
}

const builtinProtos = new Set<unknown>([Object.prototype, Array.prototype, Function.prototype, null]);

/** The Go method `name` of `v`: an exported function-valued property (own or inherited), unbound. */
export function findMethod(v: unknown, name: string): ((...args: unknown[]) => unknown) | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof FuncValue || v instanceof Float64) return undefined;
  if (!isExported(name)) return undefined;
  for (let o: object | null = v; o !== null && !builtinProtos.has(o); o = Object.getPrototypeOf(o)) {
    const d = Object.getOwnPropertyDescriptor(o, name);
    if (d === undefined) continue;
    // A getter of a class is a method without arguments; an object's own getter is a field.
    if (d.get !== undefined) return o === v ? undefined : (d.get as () => unknown);
    return typeof d.value === 'function' ? (d.value as (...args: unknown[]) => unknown) : undefined;
  }
  return undefined;
}

/** Own enumerable, non-method properties: a struct's fields or a map's entries. */
export function ownEntries(v: object): Array<[string, unknown]> {
  if (v instanceof Map) return [...v.entries()].filter(([, x]) => typeof x !== 'function').map(([k, x]) => [String(k), x]);
  return Object.entries(v).filter(([, x]) => typeof x !== 'function');
}

/** A struct field: its value, or MISSING when the struct has no such field. */
export function structField(v: object, name: string): unknown {
  if (!Object.prototype.hasOwnProperty.call(v, name)) return MISSING;
  const x = (v as Record<string, unknown>)[name];
  return typeof x === 'function' ? MISSING : (x ?? null);
}

/** A map entry: its value, or MISSING when the key is absent. */
export function mapGet(m: object, key: unknown): unknown {
  if (m instanceof Map) {
    if (!m.has(key)) return MISSING;
    const x = m.get(key);
    return typeof x === 'function' ? MISSING : (x ?? null);
  }
  const k = String(key);
  if (!Object.prototype.hasOwnProperty.call(m, k)) return MISSING;
  const x = (m as Record<string, unknown>)[k];
  if (x === undefined || typeof x === 'function') return MISSING;
  return x;
}

/** Go's fmtsort order for map keys: numbers numerically, strings by code point. */
export function compareKeys(a: unknown, b: unknown): number {
  if (isNumber(a) && isNumber(b)) return toNumber(a) - toNumber(b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return compareStrings(String(a), String(b));
}

/** Compares strings in UTF-8 byte order (which is code point order), as Go does. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx - cy;
  }
}

/** A map's entries sorted by key, as Go's fmt, range and json do. */
export function sortedEntries(m: object): Array<[unknown, unknown]> {
  const entries: Array<[unknown, unknown]> =
    m instanceof Map ? [...m.entries()].filter(([, x]) => typeof x !== 'function') : ownEntries(m).filter(([, x]) => x !== undefined);
  return entries.sort(([a], [b]) => compareKeys(a, b));
}

/** The key type of a map: a plain object's keys are strings, a Map's are inferred from them. */
export function mapKeyType(m: object): string {
  const declared = (m as { [declaredType]?: string })[declaredType];
  if (declared !== undefined && declared.startsWith('map[')) return declared.slice(4, declared.indexOf(']'));
  if (m instanceof Map && m.size > 0 && [...m.keys()].every((k) => typeof k === 'number')) return 'int';
  return 'string';
}

export function mapSize(m: object): number {
  return sortedEntries(m).length;
}

function elemTypeOf(values: unknown[]): string {
  if (values.length === 0) return 'interface {}';
  const first = typeName(values[0]);
  if (first === '<nil>' || first.startsWith('[]') || first.startsWith('map[')) return 'interface {}';
  return values.every((x) => typeName(x) === first) ? first : 'interface {}';
}

/** Go's reflect type string of a value, for %T and error messages. */
export function typeName(v: unknown): string {
  switch (kindOf(v)) {
    case 'invalid':
    case 'nil':
      return '<nil>';
    case 'bool':
      return 'bool';
    case 'int':
      return 'int';
    case 'float':
      return 'float64';
    case 'string':
      return 'string';
    case 'func':
      return v instanceof FuncValue ? v.typeName : 'func()';
    case 'struct':
      return structName(v)!;
    default:
      break;
  }
  const declared = (v as { [declaredType]?: string })[declaredType];
  if (declared !== undefined) return declared;
  if (v instanceof Uint8Array) return '[]uint8';
  if (Array.isArray(v)) return `[]${elemTypeOf(v)}`;
  if (v instanceof Map) {
    const keys = [...v.keys()];
    return `map[${keys.length > 0 && keys.every((k) => typeof k === 'number') ? 'int' : 'string'}]${elemTypeOf([...v.values()])}`;
  }
  return `map[string]${elemTypeOf(ownEntries(v as object).map(([, x]) => x))}`;
}

/** The element type of a map or slice type name ("map[string]string" → "string"). */
export function elemType(containerType: string): string {
  if (containerType.startsWith('[]')) return containerType.slice(2);
  if (containerType.startsWith('map[')) {
    let depth = 0;
    for (let i = 3; i < containerType.length; i++) {
      if (containerType[i] === '[') depth++;
      else if (containerType[i] === ']' && --depth === 0) return containerType.slice(i + 1);
    }
  }
  return 'interface {}';
}

/** The zero value of a Go type, as this model represents it. */
export function zeroValue(type: string): unknown {
  switch (type) {
    case 'string':
      return '';
    case 'int':
    case 'uint8':
    case 'int64':
      return 0;
    case 'float64':
      return new Float64(0);
    case 'bool':
      return false;
    case 'interface {}':
      return MISSING;
    default:
      return null;
  }
}

/** Go's truth: the zero value of any type is false; structs are always true. */
export function isTrue(v: unknown): boolean {
  switch (kindOf(v)) {
    case 'invalid':
    case 'nil':
      return false;
    case 'bool':
      return v as boolean;
    case 'int':
      return toBigInt(v) !== 0n;
    case 'float':
      return toNumber(v) !== 0;
    case 'string':
      return (v as string).length > 0;
    case 'slice':
      return (v as unknown[]).length > 0;
    case 'map':
      return mapSize(v as object) > 0;
    default:
      return true;
  }
}
