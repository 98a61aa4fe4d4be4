// Query parameters stated per route (`query: { all: q.bool(), limit: q.int() }`) and read with
// dockerd's rules: booleans are httputils.BoolValue (never an error), integers strconv.Atoi's
// (Go's int: 64 bits) with its messages, strings refuse NUL bytes. The handler receives the typed
// result; a parameter the route does not declare is ignored, as dockerd ignores it.
import { InvalidArgument } from '../errors/index.ts';

/** One declared parameter: its OpenAPI type (tests compare it with the reference) and its reader. */
export interface QueryParam<T> {
  readonly type: 'boolean' | 'integer' | 'string' | 'array' | 'object';
  read(q: URLSearchParams, name: string): T;
}

export type QuerySpec = Record<string, QueryParam<unknown>>;
export type QueryOf<S extends QuerySpec> = { [K in keyof S]: S[K] extends QueryParam<infer T> ? T : never };

const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;

function noNul(name: string, v: string): string {
  if (v.includes('\u0000')) throw new InvalidArgument(`invalid value for ${name}: must not contain a NUL byte`);
  return v;
}

export interface StringParamOptions {
  /** Longest accepted value. */
  max?: number;
  /** dockerd's check and wording for a bad value; returns the message, or undefined when good. */
  check?: (value: string) => string | undefined;
}

export const q = {
  /** dockerd's BoolValue: absent → `fallback`; "", "0", "no", "false", "none" → false; else true. */
  bool(fallback = false): QueryParam<boolean> {
    return {
      type: 'boolean',
      read(query, name) {
        const v = query.get(name);
        if (v === null) return fallback;
        const s = v.trim().toLowerCase();
        return !(s === '' || s === '0' || s === 'no' || s === 'false' || s === 'none');
      },
    };
  },

  /** strconv.Atoi: absent or "" → undefined; else a 64-bit integer within [min, max]. */
  int(options: { min?: number; max?: number; message?: (value: number) => string } = {}): QueryParam<number | undefined> {
    return {
      type: 'integer',
      read(query, name) {
        const v = query.get(name);
        if (v === null || v === '') return undefined;
        if (!/^[+-]?\d+$/.test(v)) throw new InvalidArgument(`invalid value for ${name}: strconv.Atoi: parsing ${JSON.stringify(v)}: invalid syntax`);
        const big = BigInt(v);
        if (big < int64Min || big > int64Max) throw new InvalidArgument(`invalid value for ${name}: strconv.Atoi: parsing ${JSON.stringify(v)}: value out of range`);
        const n = Number(big);
        if ((options.min !== undefined && n < options.min) || (options.max !== undefined && n > options.max)) {
          throw new InvalidArgument(options.message?.(n) ?? `invalid value for ${name}: ${v} is out of range [${options.min ?? '-∞'}, ${options.max ?? '∞'}]`);
        }
        return n;
      },
    };
  },

  /** The value as sent (undefined when absent); NUL bytes refused. */
  string(options: StringParamOptions = {}): QueryParam<string | undefined> {
    return {
      type: 'string',
      read(query, name) {
        const v = query.get(name);
        if (v === null) return undefined;
        noNul(name, v);
        if (options.max !== undefined && v.length > options.max) throw new InvalidArgument(`invalid value for ${name}: longer than ${options.max} characters`);
        const message = options.check?.(v);
        if (message !== undefined) throw new InvalidArgument(message);
        return v;
      },
    };
  },

  /** A repeated parameter (`changes=…&changes=…`), every value checked as `string` does. */
  strings(options: StringParamOptions = {}): QueryParam<string[]> {
    const one = q.string(options);
    return {
      type: 'array',
      read(query, name) {
        return query.getAll(name).map((v) => one.read(new URLSearchParams([[name, v]]), name)!);
      },
    };
  },

  /** The `filters` parameter: {"k":["v"]} or the older {"k":{"v":true}}. */
  filters(): QueryParam<Map<string, string[]>> {
    return {
      type: 'string',
      read(query) {
        const filters = filtersParam(query);
        for (const [k, vs] of filters) for (const v of [k, ...vs]) noNul('filters', v);
        return filters;
      },
    };
  },
};

/** Whether the request's API version ("1.43") is at least major.minor. */
export function apiVersionAtLeast(version: string, major: number, minor: number): boolean {
  const [a, b] = version.split('.').map(Number);
  return a > major || (a === major && b >= minor);
}

/** Reads every declared parameter; throws InvalidArgument naming the first bad one. */
export function readQuery<S extends QuerySpec>(spec: S, query: URLSearchParams): QueryOf<S> {
  const out: Record<string, unknown> = {};
  for (const [name, param] of Object.entries(spec)) out[name] = param.read(query, name);
  return out as QueryOf<S>;
}

/** The `filters` parameter: {"k":["v"]} or the older {"k":{"v":true}}. */
function filtersParam(q: URLSearchParams): Map<string, string[]> {
  const raw = q.get('filters');
  const out = new Map<string, string[]>();
  if (!raw) return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new InvalidArgument(`invalid filter: ${raw}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidArgument(`invalid filter: ${raw}`);
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    // dockerd reads the values as strings, or as map[string]bool: nothing else is a filter.
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) out.set(k, v);
    else if (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((on) => typeof on === 'boolean')) {
      out.set(k, Object.entries(v as Record<string, boolean>).filter(([, on]) => on).map(([x]) => x));
    } else throw new InvalidArgument(`invalid filter: ${raw}`);
  }
  return out;
}
