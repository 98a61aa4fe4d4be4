// Shapes stated in code as JSON Schema (TypeBox builds them, its compiler checks them), read with
// the rules of Go's encoding/json, which is what dockerd applies to every body it decodes:
//  - unknown fields are ignored (a client may send what a newer API defines);
//  - `null` for a struct field leaves the field unset, so it is dropped here unless the field's
//    type can hold null (a slice, a map, a pointer: `nullable`);
//  - a docker "StrSlice" (Cmd, Entrypoint, Shell) may be one string instead of a list;
//  - integers are whole numbers within their Go type's range;
//  - a value of the wrong kind is refused as Go refuses it: "json: cannot unmarshal number into
//    Go struct field ContainerConfigWrapper.Cmd of type string" — the field named, as dockerd's
//    clients know it. Checks beyond the Go type (NUL bytes, lengths, ranges, formats) name the field
//    too, and give dockerd's wording where dockerd has one (`refine`).
// Every node carries its Go type name (`goType`) for those messages; structs carry their name.
import {
  Type,
  type Static,
  type TArray,
  type TBoolean,
  type TInteger,
  type TNull,
  type TNumber,
  type TObject,
  type TOptional,
  type TRecord,
  type TSchema,
  type TString,
  type TTuple,
  type TUnion,
  type TUnknown,
  type TUnsafe,
} from 'typebox';
import { Compile, type Validator } from 'typebox/compile';
import { InvalidArgument } from '../errors/index.ts';

export type { Static, TSchema } from 'typebox';

/** The annotations this module adds to TypeBox's JSON Schema nodes. */
interface GoAnnotations {
  goType?: string;
  /** Null is a value of this field (slices, maps, pointers); elsewhere a null field is unset. */
  goNullable?: boolean;
  /** One string stands for a list of one (docker's strslice.StrSlice). */
  goStrSlice?: boolean;
  /** A Go array ([2]uint): a shorter list is padded with zeros, a longer one cut. */
  goLength?: number;
  /** A range tighter than the Go type's: refused with this message rather than Go's overflow. */
  goRangeMessage?: (value: number, field: string) => string;
}

/** A JSON Schema node as this module reads it. */
interface Node extends GoAnnotations {
  type?: string | string[];
  properties?: Record<string, Node>;
  patternProperties?: Record<string, Node>;
  items?: Node | Node[];
  prefixItems?: Node[];
  anyOf?: Node[];
  required?: string[];
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  pattern?: string;
}

const requiredMark = '~berthRequired';
/**
 * A field every value has: a record without it is malformed; a request that leaves it out gets
 * Go's zero value for it ("" , 0, false, an empty list or map, a struct of zeros), as dockerd's
 * decoder gives it — so the handler's type can say it is there.
 */
export type TRequired<T extends TSchema> = T & { [requiredMark]: true };
type StructProps<P extends Record<string, TSchema>> = { [K in keyof P]: P[K] extends { [requiredMark]: true } ? P[K] : TOptional<P[K]> };

// 2^63 and 2^64 are what 2^63-1 and 2^64-1 become as doubles: JSON numbers are read as doubles.
const int64Max = 2 ** 63;
const uint64Max = 2 ** 64;
const ranges: Record<string, [number, number]> = {
  int: [-int64Max, int64Max],
  int64: [-int64Max, int64Max],
  int32: [-2147483648, 2147483647],
  int16: [-32768, 32767],
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 4294967295],
  uint64: [0, uint64Max],
  uint: [0, uint64Max],
};

/** The pattern that refuses NUL: no path, name, argument or environment entry can hold one. */
const noNul = '^[^\\u0000]*$';

export interface StringOptions {
  /** Longest accepted value, in UTF-16 code units (names are ASCII, so bytes). */
  max?: number;
  /** Accept NUL bytes (free text such as a label value). */
  nul?: boolean;
  /** dockerd's own check and wording, e.g. (v) => `Invalid signal: ${v}` when the value is not a signal. */
  check?: (value: string) => string | undefined;
}

export interface IntOptions {
  min?: number;
  max?: number;
  /** The whole message for a value outside [min, max] (dockerd's, where it has one). */
  message?: (value: number, field: string) => string;
}

/**
 * A string that passes `check` (which returns a message, or undefined when the value is good).
 * TypeBox's Refine keeps the check in the compiled validator and the message in its error.
 */
function refined<T extends TSchema>(schema: T, check: (value: never) => string | undefined): T {
  // The compiled check and the error message both ask: remember the last answer.
  let last: { value: unknown; message: string | undefined } = { value: undefined, message: undefined };
  const run = (value: never) => {
    if (last.value !== value) last = { value, message: check(value) };
    return last.message;
  };
  return Type.Refine(
    schema,
    (v: never) => run(v) === undefined,
    (v: never) => run(v) ?? 'invalid value',
  ) as unknown as T;
}

/** Builders of Go-typed schema nodes. */
export const go = {
  string(options: StringOptions = {}): TString {
    const s = Type.String({ goType: 'string', ...(options.nul ? {} : { pattern: noNul }), ...(options.max !== undefined ? { maxLength: options.max } : {}) });
    return options.check ? refined(s, options.check) : s;
  },

  /** One of `values`; anything else is refused with `message(value)`. */
  enum<const V extends readonly string[]>(values: V, message: (value: string) => string): TUnsafe<V[number]> {
    const allowed = new Set<string>(values);
    return Type.Unsafe<V[number]>(refined(Type.String({ goType: 'string' }), (v: string) => (allowed.has(v) ? undefined : message(v))));
  },

  /** A Go integer type (`int64` by default), optionally narrowed to [min, max]. */
  int(goType: keyof typeof ranges = 'int64', options: IntOptions = {}): TInteger {
    const [lo, hi] = ranges[goType];
    const narrowed = options.min !== undefined || options.max !== undefined;
    return Type.Integer({
      goType,
      minimum: Math.max(lo, options.min ?? lo),
      maximum: Math.min(hi, options.max ?? hi),
      ...(narrowed ? { goRangeMessage: options.message ?? ((v: number, field: string) => `invalid ${field}: value ${v} out of range [${options.min ?? lo}, ${options.max ?? hi}]`) } : {}),
    });
  },

  float(): TNumber {
    return Type.Number({ goType: 'float64' });
  },

  bool(): TBoolean {
    return Type.Boolean({ goType: 'bool' });
  },

  slice<E extends TSchema>(elem: E, options: { max?: number } = {}): TArray<E> {
    return Type.Array(elem, { goType: `[]${goTypeOf(elem)}`, ...(options.max !== undefined ? { maxItems: options.max } : {}) });
  },

  /** A Go array of `length` elements ([2]uint): shorter lists are padded with zeros, longer ones cut. */
  array<E extends TSchema>(elem: E, length: 2): TTuple<[E, E]> {
    return Type.Tuple([elem, elem], { goType: `[${length}]${goTypeOf(elem)}`, goLength: length });
  },

  /** A map with string keys (keys can be checked with `keyCheck`). */
  map<E extends TSchema>(elem: E, options: { keyCheck?: (key: string) => string | undefined } = {}): TRecord<'^.*$', E> {
    const m = Type.Record(Type.String(), elem, { goType: `map[string]${goTypeOf(elem)}` }) as TRecord<'^.*$', E>;
    return options.keyCheck ? refined(m, (v: Record<string, unknown>) => firstMessage(Object.keys(v), options.keyCheck!)) : m;
  },

  /** A Go struct; every field optional (Go requires none) unless marked with `go.required`. */
  struct<P extends Record<string, TSchema>>(goType: string, props: P): TObject<StructProps<P>> {
    const fields: Record<string, TSchema> = {};
    for (const [k, v] of Object.entries(props)) fields[k] = (v as Record<string, unknown>)[requiredMark] ? v : Type.Optional(v);
    return Type.Object(fields, { goType }) as unknown as TObject<StructProps<P>>;
  },

  required<T extends TSchema>(schema: T): TRequired<T> {
    return Object.assign(schema, { [requiredMark]: true }) as TRequired<T>;
  },

  /** Go's struct{} (the values of ExposedPorts and Volumes): any object, read as empty. */
  empty(): TUnsafe<Record<string, never>> {
    return Type.Unsafe<Record<string, never>>(Type.Object({}, { goType: 'struct {}' }));
  },

  /** A slice, map or pointer field: null is a value of it. */
  nullable<T extends TSchema>(schema: T): TUnion<[T, TNull]> {
    return Type.Union([schema, Type.Null()], { goType: goTypeOf(schema), goNullable: true });
  },

  /** docker's strslice.StrSlice: a list of strings, or one string standing for a list of one. */
  strSlice(options: StringOptions = {}): TArray<TString> {
    // dockerd decodes a StrSlice as []string and then, failing that, as string: its message names `string`.
    return Type.Array(go.string(options), { goType: 'string', goStrSlice: true });
  },

  /** Any JSON value (a field Berth passes through or ignores). */
  any(): TUnknown {
    return Type.Unknown({ goType: 'interface {}' });
  },
};

function goTypeOf(s: TSchema): string {
  return (s as Node).goType ?? 'interface {}';
}

function firstMessage(keys: string[], check: (key: string) => string | undefined): string | undefined {
  for (const k of keys) {
    const m = check(k);
    if (m !== undefined) return m;
  }
  return undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function unwrapNullable(s: Node): Node {
  return s.goNullable && s.anyOf ? s.anyOf[0] : s;
}

/** Go's zero value of a node: what a struct field left out of a request holds. */
function zeroOf(schema: Node): unknown {
  if (schema.goNullable) return null;
  const t = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (schema.goLength !== undefined) return Array.from({ length: schema.goLength }, () => zeroOf(itemNode(schema, 0)!));
  switch (t) {
    case 'string':
      return '';
    case 'integer':
    case 'number':
      return 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object':
      return schema.properties ? fillRequired(schema, {}) : {};
    default:
      return undefined;
  }
}

function fillRequired(s: Node, value: Record<string, unknown>): Record<string, unknown> {
  for (const k of s.required ?? []) if (!(k in value)) value[k] = zeroOf(s.properties![k]);
  return value;
}

function itemNode(s: Node, index: number): Node | undefined {
  if (s.prefixItems) return s.prefixItems[index];
  return Array.isArray(s.items) ? s.items[index] : s.items;
}

/** Go's reading of a decoded JSON value, in place: unset null fields, one-string StrSlices, zeros. */
function normalize(schema: Node, value: unknown): unknown {
  const s = unwrapNullable(schema);
  if (typeof value === 'string') return s.goStrSlice ? [value] : value;
  if (Array.isArray(value)) {
    if (s.goLength !== undefined) {
      if (value.length > s.goLength) value.length = s.goLength;
      while (value.length < s.goLength) value.push(zeroOf(itemNode(s, value.length)!));
    }
    for (let i = 0; i < value.length; i++) {
      const item = itemNode(s, i);
      if (item && value[i] !== null) value[i] = normalize(item, value[i]);
    }
    return value;
  }
  if (!isObject(value)) return value;
  if (s.properties) {
    for (const k of Object.keys(value)) {
      const field = s.properties[k];
      if (!field) continue;
      const v = value[k];
      if (v === null) {
        if (!field.goNullable) delete value[k];
      } else value[k] = normalize(field, v);
    }
    if (s.required) fillRequired(s, value);
  } else if (s.patternProperties) {
    const elem = Object.values(s.patternProperties)[0];
    for (const k of Object.keys(value)) if (value[k] !== null) value[k] = normalize(elem, value[k]);
  }
  return value;
}

interface SchemaError {
  keyword: string;
  schemaPath: string;
  instancePath: string;
  params: Record<string, unknown>;
  message: string;
}

const pointerSegments = (p: string): string[] =>
  p
    .replace(/^#/, '')
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));

/** Where an error sits: Go's field path (struct fields only), the innermost struct, a readable path. */
function locate(root: Node, schemaPath: string, instancePath: string): { node: Node; goStruct?: string; goPath: string[]; display: string } {
  const segs = pointerSegments(schemaPath);
  const inst = pointerSegments(instancePath);
  let node = root;
  let goStruct: string | undefined;
  const goPath: string[] = [];
  let display = '';
  let i = 0;
  let consumed = 0;
  while (i < segs.length) {
    const key = segs[i];
    if (key === 'properties') {
      goStruct = node.goType;
      const field = segs[i + 1];
      goPath.push(field);
      display += display ? `.${field}` : field;
      node = node.properties![field];
      consumed++;
      i += 2;
    } else if (key === 'patternProperties') {
      display += `[${JSON.stringify(inst[consumed] ?? '')}]`;
      node = node.patternProperties![segs[i + 1]];
      consumed++;
      i += 2;
    } else if (key === 'items' || key === 'prefixItems') {
      display += `[${inst[consumed] ?? ''}]`;
      const index = Number(inst[consumed] ?? 0);
      node = key === 'prefixItems' ? node.prefixItems![Number(segs[i + 1])] : (itemNode(node, index) ?? node);
      consumed++;
      i += key === 'prefixItems' ? 2 : 1;
    } else if (key === 'anyOf') {
      node = node.anyOf![Number(segs[i + 1])];
      i += 2;
    } else break;
  }
  return { node, ...(goStruct ? { goStruct: goStruct.replace(/^.*\./, '') } : {}), goPath, display };
}

function valueAt(root: unknown, instancePath: string): unknown {
  let v = root;
  for (const seg of pointerSegments(instancePath)) v = (v as Record<string, unknown> | undefined)?.[seg];
  return v;
}

/** The JSON kind as Go's UnmarshalTypeError names it. */
function jsonKind(v: unknown, node: Node): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') {
    const integerWanted = node.type === 'integer';
    if (integerWanted) return `number ${Number.isInteger(v) ? BigInt(v).toString() : String(v)}`;
    return 'number';
  }
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

/** Of all the errors, the one a person would fix first: the deepest, a constraint before a kind. */
function pickError(errors: SchemaError[]): SchemaError {
  const depth = (e: SchemaError) => (e.instancePath ? e.instancePath.split('/').length : 0);
  const deepest = Math.max(...errors.map(depth));
  const atDeepest = errors.filter((e) => depth(e) === deepest);
  return (
    atDeepest.find((e) => e.keyword !== 'type' && e.keyword !== 'anyOf') ?? atDeepest.find((e) => e.keyword === 'anyOf') ?? atDeepest[0]
  );
}

function describe(root: Node, rootValue: unknown, error: SchemaError): string {
  const { node, goStruct, goPath, display } = locate(root, error.schemaPath, error.instancePath);
  const value = valueAt(rootValue, error.instancePath);
  const field = display || 'body';
  const typeError = () => {
    const target = goStruct && goPath.length ? `Go struct field ${goStruct}.${goPath.join('.')}` : 'Go value';
    return `json: cannot unmarshal ${jsonKind(value, node)} into ${target} of type ${node.goType ?? 'interface {}'}`;
  };
  switch (error.keyword) {
    case 'type':
    case 'anyOf':
      return typeError();
    case 'minimum':
    case 'maximum':
      return node.goRangeMessage && typeof value === 'number' && withinGoType(node, value) ? node.goRangeMessage(value, field) : typeError();
    case 'pattern':
      if (typeof value === 'string' && value.includes('\u0000')) return `invalid ${field}: must not contain a NUL byte`;
      return `invalid ${field}: ${JSON.stringify(value)} is not allowed`;
    case 'maxLength':
      return `invalid ${field}: longer than ${node.maxLength} characters`;
    case 'maxItems':
      return `invalid ${field}: too many elements`;
    case 'required':
      return `missing required field ${display ? display + '.' : ''}${requiredName(error.params)}`;
    case '~refine':
      return String(error.params.message ?? error.message);
    default:
      return `invalid ${field}: ${error.message}`;
  }
}

function requiredName(params: Record<string, unknown>): string {
  const names = params.requiredProperties ?? params.missingProperty ?? params.missingProperties;
  return Array.isArray(names) ? names.join(', ') : String(names ?? '');
}

function withinGoType(node: Node, value: number): boolean {
  const r = ranges[node.goType ?? 'int64'];
  return !r || (value >= r[0] && value <= r[1]);
}

/** Reads a decoded JSON value into `T` as Go would, or throws InvalidArgument naming the field. */
export type Decoder<T> = ((value: unknown) => T) & Compilable;

interface Compilable {
  /** Compiles the validator now rather than at first use. */
  compile(): void;
}

/** Validators not compiled yet, for warmUp(). */
const pending = new Set<Compilable>();

/**
 * Compiles every validator made so far in the background, one per turn of the event loop, so
 * that the first request after start-up (a `run`) does not pay ~80 ms for create's schemas.
 */
export function warmUp(): Promise<number> {
  let compiled = 0;
  return new Promise((resolve) => {
    const next = () => {
      const first = pending.values().next();
      if (first.done) return resolve(compiled);
      first.value.compile();
      compiled++;
      setImmediate(next);
    };
    setImmediate(next);
  });
}

function compilable<F extends (value: unknown) => unknown>(schema: TSchema, run: (check: Validator, value: unknown) => ReturnType<F>): F & Compilable {
  let check: Validator | undefined;
  const self = Object.assign((value: unknown) => run((check ??= compileNow()), value), {
    compile: () => {
      check ??= compileNow();
    },
  });
  const compileNow = () => {
    pending.delete(self);
    return Compile(schema) as Validator;
  };
  pending.add(self);
  return self as unknown as F & Compilable;
}

/**
 * The decoder of a schema, compiled on first use (berthd starts without paying for routes that
 * are never called). `value` is modified in place (nulls dropped, StrSlices made lists).
 */
export function decoder<S extends TSchema>(schema: S, options: { typesOnly?: boolean } = {}): Decoder<Static<S>> {
  // typesOnly: for documents made elsewhere (an image's config) that Berth reads as dockerd would
  const shape = (options.typesOnly ? typesOnly(schema as Node) : schema) as TSchema;
  return compilable<(value: unknown) => Static<S>>(shape, (check, value) => {
    const v = value === null ? value : normalize(shape as Node, value);
    if (check.Check(v)) return v as Static<S>;
    throw new InvalidArgument(describeErrors(shape, v, check.Errors(v) as unknown as SchemaError[]));
  });
}

/**
 * The checker of a record Berth wrote: the value has the shape of `schema` exactly (no Go
 * normalisation: a null where the type has none is malformed), and its types only — ranges,
 * lengths, formats and dockerd's own checks are the API's, and a record keeps what an image
 * brought even where a request could not ask for it. Returns the problem, or undefined.
 */
export function checker<S extends TSchema>(schema: S): ((value: unknown) => string | undefined) & Compilable {
  const shape = typesOnly(schema as Node) as TSchema;
  return compilable<(value: unknown) => string | undefined>(shape, (check, value) =>
    check.Check(value) ? undefined : describeErrors(shape, value, check.Errors(value) as unknown as SchemaError[]),
  );
}

const constraintKeys = new Set(['~refine', 'pattern', 'maxLength', 'minLength', 'maxItems', 'minItems', 'goRangeMessage']);

/** A copy of the schema without the checks beyond Go's types (integers keep their type's range). */
function typesOnly(node: Node): Node {
  if (Array.isArray(node)) return node.map((n: Node) => typesOnly(n)) as unknown as Node;
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (constraintKeys.has(k)) continue;
    out[k] = k === 'properties' || k === 'patternProperties' ? Object.fromEntries(Object.entries(v as Record<string, Node>).map(([n, x]) => [n, typesOnly(x)])) : typeof v === 'object' && v !== null ? typesOnly(v as Node) : v;
  }
  if (node.goRangeMessage && node.goType && ranges[node.goType]) [out.minimum, out.maximum] = ranges[node.goType];
  return out as Node;
}

function describeErrors(schema: TSchema, value: unknown, errors: SchemaError[]): string {
  if (errors.length === 0) return 'invalid value';
  return describe(schema as Node, value, pickError(errors));
}
