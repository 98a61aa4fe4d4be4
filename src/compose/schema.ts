// A small schema language for compose documents and its validator. The Compose Specification
// publishes a JSON Schema; Berth states the same rules in its own form (compose-schema.ts), and a
// unit test holds the two together, key by key and verdict by verdict. Messages follow compose
// v2's (compose-go with gojsonschema): "services.web Additional property foo is not allowed",
// "services.web.ports.0 must be a number, string or mapping".
import { deepEqual, isMapping, type Mapping } from './tree.ts';

export type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'null' | 'array' | 'object';

export interface ScalarSchema {
  kind: 'scalar';
  types: readonly JsonType[];
  enum?: readonly string[];
  pattern?: RegExp;
  minimum?: number;
  maximum?: number;
}

export interface ObjectSchema {
  kind: 'object';
  properties: Readonly<Record<string, Schema>>;
  required?: readonly string[];
  /** Keys matching a pattern validate against its schema (all matching patterns apply). */
  patternProperties?: ReadonlyArray<readonly [RegExp, Schema]>;
  /** Keys neither declared nor matching a pattern: allowed (true), refused (false) or validated. */
  additional: boolean | Schema;
  /** Other JSON types accepted as they are (`external: true` or `external: {name}`). */
  alsoTypes?: readonly JsonType[];
}

export interface ArraySchema {
  kind: 'array';
  items: Schema;
  unique?: boolean;
}

export interface OneOfSchema {
  kind: 'oneOf';
  options: readonly Schema[];
}

export interface AnySchema {
  kind: 'any';
}

export type Schema = ScalarSchema | ObjectSchema | ArraySchema | OneOfSchema | AnySchema;

// ---------------------------------------------------------------------------------------------
// Builders

export function scalar(...types: JsonType[]): ScalarSchema {
  return { kind: 'scalar', types };
}

export function enumOf(values: readonly string[]): ScalarSchema {
  return { kind: 'scalar', types: ['string'], enum: values };
}

export function matching(regex: RegExp): ScalarSchema {
  return { kind: 'scalar', types: ['string'], pattern: regex };
}

export function bounded(type: 'integer' | 'number', bounds: { minimum?: number; maximum?: number }): ScalarSchema {
  return { kind: 'scalar', types: [type], ...bounds };
}

export const anything: AnySchema = { kind: 'any' };

const extensionKey = /^x-/u;

export interface ObjectOptions {
  required?: readonly string[];
  /** `x-*` keys allowed (the spec's extension fields). */
  extensions?: boolean;
  patternProperties?: ReadonlyArray<readonly [RegExp, Schema]>;
  additional?: boolean | Schema;
  alsoTypes?: readonly JsonType[];
}

export function object(properties: Record<string, Schema>, options: ObjectOptions = {}): ObjectSchema {
  const patterns: Array<readonly [RegExp, Schema]> = [...(options.patternProperties ?? [])];
  if (options.extensions) patterns.push([extensionKey, anything]);
  return {
    kind: 'object',
    properties,
    required: options.required,
    patternProperties: patterns,
    additional: options.additional ?? false,
    alsoTypes: options.alsoTypes,
  };
}

/** A mapping whose keys match `key` and whose values all follow `value`. */
export function mapOf(key: RegExp, value: Schema, options: { additional?: boolean } = {}): ObjectSchema {
  return object({}, { patternProperties: [[key, value]], additional: options.additional ?? false });
}

export function array(items: Schema, options: { unique?: boolean } = {}): ArraySchema {
  return { kind: 'array', items, unique: options.unique };
}

export function oneOf(...options: Schema[]): OneOfSchema {
  return { kind: 'oneOf', options };
}

// ---------------------------------------------------------------------------------------------
// Validation

export interface SchemaError {
  path: string[];
  message: string;
  /** Type mismatches are merged across oneOf branches into one "must be a x or y". */
  expectedTypes?: JsonType[];
}

export function jsonType(v: unknown): JsonType {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number' || typeof v === 'bigint') return Number.isInteger(Number(v)) ? 'integer' : 'number';
  return 'null';
}

function typeAccepts(types: readonly JsonType[], v: unknown): boolean {
  const t = jsonType(v);
  return types.includes(t) || (t === 'integer' && types.includes('number'));
}

function humanType(t: JsonType): string {
  return t === 'object' ? 'mapping' : t === 'array' ? 'list' : t;
}

export function typesPhrase(types: readonly JsonType[]): string {
  const names = [...new Set(types.map(humanType))];
  if (names.length === 1) return names[0];
  return `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

function typeError(path: string[], types: readonly JsonType[]): SchemaError {
  return { path, message: `must be a ${typesPhrase(types)}`, expectedTypes: [...types] };
}

export function schemaTypes(schema: Schema): JsonType[] {
  switch (schema.kind) {
    case 'scalar':
      return [...schema.types];
    case 'object':
      return ['object', ...(schema.alsoTypes ?? [])];
    case 'array':
      return ['array'];
    case 'oneOf':
      return schema.options.flatMap(schemaTypes);
    default:
      return ['string', 'number', 'boolean', 'null', 'array', 'object'];
  }
}

/** The first violation of `schema` by `value`, or undefined. */
export function validateSchema(schema: Schema, value: unknown, path: string[] = []): SchemaError | undefined {
  switch (schema.kind) {
    case 'any':
      return undefined;
    case 'scalar': {
      if (!typeAccepts(schema.types, value)) return typeError(path, schema.types);
      if (schema.enum && typeof value === 'string' && !schema.enum.includes(value)) {
        return { path, message: `must be one of the following: ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}` };
      }
      if (schema.pattern && typeof value === 'string' && !schema.pattern.test(value)) {
        return { path, message: `Does not match pattern '${schema.pattern.source}'` };
      }
      if (typeof value === 'number') {
        if (schema.minimum !== undefined && value < schema.minimum) return { path, message: `Must be greater than or equal to ${schema.minimum}` };
        if (schema.maximum !== undefined && value > schema.maximum) return { path, message: `Must be less than or equal to ${schema.maximum}` };
      }
      return undefined;
    }
    case 'array': {
      if (!Array.isArray(value)) return typeError(path, ['array']);
      for (let i = 0; i < value.length; i++) {
        const err = validateSchema(schema.items, value[i], [...path, String(i)]);
        if (err) return err;
      }
      if (schema.unique) {
        for (let i = 0; i < value.length; i++) {
          for (let j = i + 1; j < value.length; j++) {
            if (deepEqual(value[i], value[j])) return { path, message: `array items[${i},${j}] must be unique` };
          }
        }
      }
      return undefined;
    }
    case 'object':
      return validateObject(schema, value, path);
    case 'oneOf':
      return validateOneOf(schema, value, path);
  }
}

function validateObject(schema: ObjectSchema, value: unknown, path: string[]): SchemaError | undefined {
  if (!isMapping(value)) {
    if (schema.alsoTypes && typeAccepts(schema.alsoTypes, value)) return undefined;
    return typeError(path, ['object', ...(schema.alsoTypes ?? [])]);
  }
  const m = value as Mapping;
  for (const req of schema.required ?? []) {
    if (!Object.prototype.hasOwnProperty.call(m, req)) return { path, message: `${req} is required` };
  }
  for (const [key, v] of Object.entries(m)) {
    const declared = Object.prototype.hasOwnProperty.call(schema.properties, key) ? schema.properties[key] : undefined;
    let matched = declared !== undefined;
    if (declared) {
      const err = validateSchema(declared, v, [...path, key]);
      if (err) return err;
    }
    for (const [re, s] of schema.patternProperties ?? []) {
      if (!re.test(key)) continue;
      matched = true;
      const err = validateSchema(s, v, [...path, key]);
      if (err) return err;
    }
    if (matched) continue;
    if (schema.additional === false) return { path, message: `Additional property ${key} is not allowed` };
    if (schema.additional !== true) {
      const err = validateSchema(schema.additional, v, [...path, key]);
      if (err) return err;
    }
  }
  return undefined;
}

function validateOneOf(schema: OneOfSchema, value: unknown, path: string[]): SchemaError | undefined {
  const errors: SchemaError[] = [];
  let passed = 0;
  for (const option of schema.options) {
    const err = validateSchema(option, value, path);
    if (err) errors.push(err);
    else passed++;
  }
  if (passed === 1) return undefined;
  if (passed > 1) return { path, message: 'Must validate one and only one schema (oneOf)' };
  // Nothing matched: if the value's type fits no branch, say which types would; otherwise report
  // the deepest problem inside the branch that accepted the type.
  const typeMismatches = errors.filter((e) => e.expectedTypes && e.path.length === path.length);
  if (typeMismatches.length === errors.length) return typeError(path, errors.flatMap((e) => e.expectedTypes ?? []));
  const inner = errors.filter((e) => !(e.expectedTypes && e.path.length === path.length));
  return inner.reduce((best, e) => (e.path.length > best.path.length ? e : best));
}

/** Every property path the schema declares, `*` for pattern keys and `[]` for items (for the test). */
export function declaredPaths(schema: Schema, prefix: string[] = [], out = new Set<string>(), seen = new Set<Schema>()): Set<string> {
  if (seen.has(schema)) return out;
  seen.add(schema);
  switch (schema.kind) {
    case 'object':
      for (const [k, s] of Object.entries(schema.properties)) {
        out.add([...prefix, k].join('.'));
        declaredPaths(s, [...prefix, k], out, new Set(seen));
      }
      for (const [re, s] of schema.patternProperties ?? []) {
        if (re.source === '^x-') continue;
        declaredPaths(s, [...prefix, '*'], out, new Set(seen));
      }
      if (typeof schema.additional === 'object') declaredPaths(schema.additional, [...prefix, '*'], out, new Set(seen));
      break;
    case 'array':
      declaredPaths(schema.items, [...prefix, '[]'], out, new Set(seen));
      break;
    case 'oneOf':
      for (const o of schema.options) declaredPaths(o, prefix, out, new Set(seen));
      break;
  }
  return out;
}
