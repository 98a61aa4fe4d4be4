// How Go values are modelled over plain JavaScript data: maps are plain objects, structs are
// objects marked with their Go type name (unknown fields are then errors, as in Go), a missing
// map key is MISSING (printed "<no value>"), functions on a struct are its methods.

export const MISSING: unique symbol = Symbol('no value');
export type Missing = typeof MISSING;

const structType = Symbol('go struct type');

/** Marks `obj` as a Go struct named `typeName` (e.g. "*formatter.ContainerContext"). */
export function asStruct<T extends object>(obj: T, typeName: string): T {
  Object.defineProperty(obj, structType, { value: typeName, enumerable: false });
  return obj;
}

export function structName(v: unknown): string | undefined {
  return typeof v === 'object' && v !== null ? ((v as Record<symbol, string>)[structType] ?? undefined) : undefined;
}

export function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v) && structName(v) === undefined;
}

/** Go's type name of a value, for error messages and %T. */
export function goType(v: unknown): string {
  if (v === MISSING || v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  if (typeof v === 'bigint') return 'int64';
  if (typeof v === 'function') return 'func';
  if (Array.isArray(v)) return '[]interface {}';
  return structName(v) ?? 'map[string]interface {}';
}

/** Go's truth: the zero value of any type is false; structs are always true. */
export function isTrue(v: unknown): boolean {
  if (v === MISSING || v === null || v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'bigint') return v !== 0n;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'function') return true;
  if (structName(v) !== undefined) return true;
  return Object.keys(v as object).length > 0;
}

/** Go's %v of a float64: strconv.FormatFloat(f, 'g', -1, 64), exponent form from 1e+06 on. */
export function formatFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [mant, e] = f.toExponential().split('e');
  const exp = Number(e);
  if (exp < -4 || exp >= 6) {
    return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const digits = mant.replace('-', '').replace('.', '');
  if (exp >= 0) {
    const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
    const frac = digits.slice(exp + 1);
    return `${f < 0 ? '-' : ''}${intPart}${frac ? '.' + frac : ''}`;
  }
  return `${f < 0 ? '-' : ''}0.${'0'.repeat(-exp - 1)}${digits}`;
}

/** Go's fmt %v. */
export function formatValue(v: unknown): string {
  if (v === MISSING) return '<no value>';
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : formatFloat(v);
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (typeof v === 'function') return '0x0';
  if (Array.isArray(v)) return `[${v.map(formatValue).join(' ')}]`;
  if (structName(v) !== undefined) {
    return `{${Object.values(v as object)
      .filter((x) => typeof x !== 'function')
      .map(formatValue)
      .join(' ')}}`;
  }
  const keys = Object.keys(v as object).sort();
  return `map[${keys.map((k) => `${k}:${formatValue((v as Record<string, unknown>)[k])}`).join(' ')}]`;
}
